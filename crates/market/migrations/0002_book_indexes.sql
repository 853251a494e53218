-- One partial index per book and query shape, in place of the indexes over every book.
--
-- Each order now updates only the indexes of its own book (plus the primary key, the signer
-- index and the general price index), and each index holds the columns the book's filters
-- read, so a filtered page or a best-match candidate list is read from the index alone: only the
-- rows of the page are looked up. The store writes `book = <n>` and `status = <n>` as literals in
-- the SQL text so both SQLite and PostgreSQL can use these partial indexes. The request book
-- sorts by price descending, then publication time ascending: its indexes are built that way.
DROP INDEX orders_by_app;
DROP INDEX orders_by_dataset;
DROP INDEX orders_by_workerpool;
DROP INDEX orders_by_category;

CREATE INDEX orders_app_book ON orders (
    app, status, price, published_at, hash,
    dataset, requester, workerpool, remaining, tag0, tag1, tag2, tag3, book
) WHERE book = 0;

CREATE INDEX orders_dataset_book ON orders (
    dataset, status, price, published_at, hash,
    app, requester, workerpool, remaining, tag0, tag1, tag2, tag3, book
) WHERE book = 1;

CREATE INDEX orders_pool_book ON orders (
    category, status, price, published_at, hash,
    trust, tag0, tag1, tag2, tag3, workerpool, app, dataset, requester, remaining,
    region, energy, hardware, book
) WHERE book = 2;

CREATE INDEX orders_pool_by_pool ON orders (workerpool, status, price, published_at, hash)
    WHERE book = 2;

CREATE INDEX orders_request_book ON orders (
    category, status, price DESC, published_at, hash,
    trust, app, dataset, workerpool, requester, remaining, tag0, tag1, tag2, tag3, book
) WHERE book = 3;

CREATE INDEX orders_request_by_app ON orders (app, status, price DESC, published_at, hash)
    WHERE book = 3;

CREATE INDEX orders_request_by_price ON orders (status, price DESC, published_at, hash)
    WHERE book = 3;

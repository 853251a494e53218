//! [`BookOrder`]: what the market needs to know of each of the four orders — its book, its
//! asset, the columns it is filtered and sorted by.

use alloy::primitives::{Address, B256, U256};
use poco_market_api::Book;
use poco_primitives::{AppOrder, DatasetOrder, Order, RequestOrder, Tag, WorkerpoolOrder};
use serde::{Serialize, de::DeserializeOwned};

/// The values of an order the books filter and sort on (see the `orders` table).
///
/// The four address columns hold, for each kind of account, the order's own asset or the
/// restriction the order sets on that kind of account (zero: none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    /// App (app and request orders), or the app restriction.
    pub app: Address,
    /// Dataset (dataset and request orders), or the dataset restriction.
    pub dataset: Address,
    /// Workerpool (workerpool orders), or the workerpool restriction.
    pub workerpool: Address,
    /// Requester (request orders), or the requester restriction.
    pub requester: Address,
    /// Beneficiary (request orders).
    pub beneficiary: Address,
    /// The ask (sell orders) or the workerpool max price (request orders).
    pub price: U256,
    /// The app max price (request orders).
    pub app_max_price: U256,
    /// The dataset max price (request orders).
    pub dataset_max_price: U256,
    /// Category (workerpool and request orders).
    pub category: U256,
    /// Trust (workerpool and request orders).
    pub trust: U256,
    /// Tag.
    pub tag: Tag,
}

/// One of the four orders, as the market handles it.
pub trait BookOrder:
    Order + Default + std::fmt::Debug + Serialize + DeserializeOwned + Send + Sync + Unpin + 'static
{
    /// Its book.
    const BOOK: Book;

    /// The app, dataset or workerpool the order sells (`None` for request orders).
    fn asset(&self) -> Option<Address>;

    /// The requester of a request order.
    fn requester(&self) -> Option<Address> {
        None
    }

    /// The columns of the order.
    fn columns(&self) -> Columns;
}

impl BookOrder for AppOrder {
    const BOOK: Book = Book::App;

    fn asset(&self) -> Option<Address> {
        Some(self.app)
    }

    fn columns(&self) -> Columns {
        Columns {
            app: self.app,
            dataset: self.datasetrestrict,
            workerpool: self.workerpoolrestrict,
            requester: self.requesterrestrict,
            beneficiary: Address::ZERO,
            price: self.appprice,
            app_max_price: U256::ZERO,
            dataset_max_price: U256::ZERO,
            category: U256::ZERO,
            trust: U256::ZERO,
            tag: Tag(self.tag),
        }
    }
}

impl BookOrder for DatasetOrder {
    const BOOK: Book = Book::Dataset;

    fn asset(&self) -> Option<Address> {
        Some(self.dataset)
    }

    fn columns(&self) -> Columns {
        Columns {
            app: self.apprestrict,
            dataset: self.dataset,
            workerpool: self.workerpoolrestrict,
            requester: self.requesterrestrict,
            beneficiary: Address::ZERO,
            price: self.datasetprice,
            app_max_price: U256::ZERO,
            dataset_max_price: U256::ZERO,
            category: U256::ZERO,
            trust: U256::ZERO,
            tag: Tag(self.tag),
        }
    }
}

impl BookOrder for WorkerpoolOrder {
    const BOOK: Book = Book::Workerpool;

    fn asset(&self) -> Option<Address> {
        Some(self.workerpool)
    }

    fn columns(&self) -> Columns {
        Columns {
            app: self.apprestrict,
            dataset: self.datasetrestrict,
            workerpool: self.workerpool,
            requester: self.requesterrestrict,
            beneficiary: Address::ZERO,
            price: self.workerpoolprice,
            app_max_price: U256::ZERO,
            dataset_max_price: U256::ZERO,
            category: self.category,
            trust: self.trust,
            tag: Tag(self.tag),
        }
    }
}

impl BookOrder for RequestOrder {
    const BOOK: Book = Book::Request;

    fn asset(&self) -> Option<Address> {
        None
    }

    fn requester(&self) -> Option<Address> {
        Some(self.requester)
    }

    fn columns(&self) -> Columns {
        Columns {
            app: self.app,
            dataset: self.dataset,
            workerpool: self.workerpool,
            requester: self.requester,
            beneficiary: self.beneficiary,
            price: self.workerpoolmaxprice,
            app_max_price: self.appmaxprice,
            dataset_max_price: self.datasetmaxprice,
            category: self.category,
            trust: self.trust,
            tag: Tag(self.tag),
        }
    }
}

/// A U256 as a BIGINT column: saturated at `i64::MAX`.
pub fn saturate(value: U256) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The four 64-bit words of a tag (word 0 holds bits 0-63), as BIGINT columns.
pub fn tag_words(tag: Tag) -> [i64; 4] {
    let bytes: [u8; 32] = tag.0.0;
    let mut words = [0i64; 4];
    for (i, word) in words.iter_mut().enumerate() {
        // word i is bytes [32 - 8(i+1), 32 - 8i)
        let start = 32 - 8 * (i + 1);
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(&bytes[start..start + 8]);
        *word = i64::from_be_bytes(chunk);
    }
    words
}

/// The tag of four words (inverse of [`tag_words`]).
pub fn tag_from_words(words: [i64; 4]) -> Tag {
    let mut bytes = [0u8; 32];
    for (i, word) in words.iter().enumerate() {
        let start = 32 - 8 * (i + 1);
        bytes[start..start + 8].copy_from_slice(&word.to_be_bytes());
    }
    Tag(B256::from(bytes))
}

/// An address as stored: 0x-prefixed lowercase hex.
pub fn address_text(address: Address) -> String {
    format!("{address:#x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_words_round_trip() {
        let cases = [
            Tag::NONE,
            Tag::TEE_SCONE,
            Tag::GPU,
            Tag(B256::repeat_byte(0xff)),
            Tag::NONE.with_bit(63).with_bit(64).with_bit(255),
        ];
        for tag in cases {
            assert_eq!(tag_from_words(tag_words(tag)), tag, "{tag}");
        }
        assert_eq!(tag_words(Tag::TEE_SCONE), [3, 0, 0, 0]);
        assert_eq!(tag_words(Tag::NONE.with_bit(63))[0], i64::MIN);
        assert_eq!(tag_words(Tag::NONE.with_bit(255))[3], i64::MIN);
        assert_eq!(address_text(Address::repeat_byte(0xAB)), format!("0x{}", "ab".repeat(20)));
    }
}

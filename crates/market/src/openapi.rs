//! The OpenAPI 3.1 document of the native API (`GET /v1/openapi.json`).

use serde_json::{Value, json};

fn error_responses() -> Value {
    json!({
        "4XX": {"description": "Refused; nothing was changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}},
        "5XX": {"description": "The market or the chain failed; nothing was changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}}
    })
}

fn query_params(names: &[(&str, &str, &str)]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|(name, kind, description)| {
                json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": kind}})
            })
            .collect(),
    )
}

/// The document.
pub fn document() -> Value {
    let book = json!({"name": "book", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Book"}});
    let list_params = {
        let mut params = vec![book.clone()];
        if let Value::Array(more) = query_params(&[
            ("app", "string", "app (app and request books) or app restriction admitting it"),
            (
                "dataset",
                "string",
                "dataset (dataset and request books) or dataset restriction admitting it",
            ),
            (
                "workerpool",
                "string",
                "workerpool (workerpool book) or workerpool restriction admitting it",
            ),
            (
                "requester",
                "string",
                "requester (request book) or requester restriction admitting it",
            ),
            ("beneficiary", "string", "beneficiary (request book)"),
            ("owner", "string", "signer of the orders"),
            ("strict", "boolean", "restrictions must name the address (no unrestricted orders)"),
            ("category", "integer", "category (workerpool and request books)"),
            ("minTrust", "integer", "trust at least (workerpool book)"),
            ("maxTrust", "integer", "trust at most (request book)"),
            ("minTag", "string", "every bit of this tag set (names like tee,gpu or hex)"),
            ("maxTag", "string", "no bit outside this tag"),
            ("minVolume", "integer", "remaining volume at least"),
            ("maxPrice", "integer", "price at most (nRLC)"),
            ("minPrice", "integer", "workerpool max price at least (request book)"),
            ("region", "string", "pool region (workerpool book)"),
            ("energy", "string", "pool energy source (workerpool book)"),
            ("hardware", "string", "pool hardware (workerpool book)"),
            ("status", "string", "open (default), filled, canceled, dead or unpublished"),
            ("limit", "integer", "page size, 1 to 1000 (100 by default)"),
            ("cursor", "string", "nextCursor of the previous page"),
        ]) {
            params.extend(more);
        }
        Value::Array(params)
    };
    let match_params = query_params(&[
        ("app", "string", "the app to run (required)"),
        ("dataset", "string", "the dataset to use"),
        ("requester", "string", "the requester (for requester restrictions)"),
        ("category", "integer", "the category (required)"),
        ("trust", "integer", "the trust asked for"),
        ("tag", "string", "requirements (names like tee,scone or hex)"),
        ("appMaxPrice", "integer", "most to pay the app owner per task"),
        ("datasetMaxPrice", "integer", "most to pay the dataset owner per task"),
        ("workerpoolMaxPrice", "integer", "most to pay the pool per task"),
        ("workerpool", "string", "only this workerpool"),
    ]);
    json!({
        "openapi": "3.1.0",
        "info": {"title": "poco market", "version": env!("CARGO_PKG_VERSION"), "description": "The orderbook of poco: signed app, dataset, workerpool and request orders, checked against the chain."},
        "paths": {
            "/v1/orders/{book}": {
                "post": {"summary": "Publish a signed order", "parameters": [book], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PublishRequest"}}}}, "responses": merge(json!({"201": {"description": "Published", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderRecord"}}}}}), error_responses())},
                "get": {"summary": "List a book, best first, with filters and cursor pagination", "parameters": list_params, "responses": merge(json!({"200": {"description": "A page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BookPage"}}}}}), error_responses())}
            },
            "/v1/orders/{book}/{orderHash}": {
                "get": {"summary": "One order by hash", "parameters": [book, {"name": "orderHash", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": merge(json!({"200": {"description": "The order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderRecord"}}}}}), error_responses())}
            },
            "/v1/orders/{book}/unpublish": {
                "post": {"summary": "Unpublish by hash, the signer's last or all, authenticated by an EIP-712 Unpublish signature", "parameters": [book], "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UnpublishRequest"}}}}, "responses": merge(json!({"200": {"description": "The unpublished hashes", "content": {"application/json": {"schema": {"type": "object", "properties": {"unpublished": {"type": "array", "items": {"type": "string"}}}}}}}}), error_responses())}
            },
            "/v1/match": {
                "get": {"summary": "The cheapest compatible app, dataset and workerpool orders for a request", "parameters": match_params, "responses": merge(json!({"200": {"description": "The match, or null", "content": {"application/json": {"schema": {"type": "object", "properties": {"match": {"oneOf": [{"type": "null"}, {"type": "object"}]}}}}}}}), error_responses())}
            },
            "/v1/feed": {"get": {"summary": "Live feed of book changes (server-sent events: published, unpublished, updated)", "responses": {"200": {"description": "text/event-stream"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text/plain"}}}},
            "/health": {"get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}}
        },
        "components": {"schemas": {
            "Book": {"type": "string", "enum": ["app", "dataset", "workerpool", "request"]},
            "OrderStatus": {"type": "string", "enum": ["open", "filled", "canceled", "dead", "unpublished"]},
            "ApiError": {"type": "object", "required": ["error", "message"], "properties": {"error": {"type": "string", "description": "stable code (invalid_json, unknown_field, bad_signature, not_owner, …)"}, "message": {"type": "string"}}},
            "PublishRequest": {"type": "object", "required": ["order"], "additionalProperties": false, "properties": {"order": {"type": "object", "description": "the order's EIP-712 fields plus sign"}, "signer": {"type": "string"}}},
            "OrderRecord": {"type": "object", "properties": {"orderHash": {"type": "string"}, "book": {"$ref": "#/components/schemas/Book"}, "chainId": {"type": "integer"}, "signer": {"type": "string"}, "status": {"$ref": "#/components/schemas/OrderStatus"}, "remaining": {"type": "string"}, "publicationTimestamp": {"type": "integer"}, "order": {"type": "object"}, "pool": {"type": "object", "properties": {"region": {"type": "string"}, "energy": {"type": "string"}, "hardware": {"type": "string"}}}}},
            "BookPage": {"type": "object", "properties": {"orders": {"type": "array", "items": {"$ref": "#/components/schemas/OrderRecord"}}, "nextCursor": {"type": "string"}}},
            "UnpublishRequest": {"type": "object", "required": ["target", "issuedAt", "signer", "sign"], "additionalProperties": false, "properties": {"target": {"type": "string", "enum": ["order", "last", "all"]}, "orderHash": {"type": "string"}, "resource": {"type": "string"}, "issuedAt": {"type": "integer"}, "signer": {"type": "string"}, "sign": {"type": "string"}}}
        }}
    })
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

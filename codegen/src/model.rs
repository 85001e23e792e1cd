//! The typed model of `spec/zoho-crm.yaml`. Unknown keys are rejected everywhere, so a typo in the
//! spec is an error rather than a silently ignored setting. Maps are ordered, so output is stable.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// API-wide facts.
    pub api: Api,
    /// How the access token is sent and refreshed.
    pub auth: Auth,
    /// The data centres, each with its accounts server and API domain.
    pub data_centers: Vec<DataCenter>,
    /// The environments a data centre serves (production, sandbox, ...).
    pub environments: Vec<Environment>,
    /// The modules records live in.
    pub modules: Modules,
    /// The OAuth scope scheme.
    pub scopes: Scopes,
    /// Response types, by Rust type name.
    #[serde(default, deserialize_with = "unique_map")]
    pub types: BTreeMap<String, TypeDef>,
    /// The shared error table: each code with its documented cases (none for a code Zoho
    /// names without documenting a status or message, such as one from its SDKs' enums).
    #[serde(deserialize_with = "unique_map")]
    pub errors: BTreeMap<String, Vec<ErrorCase>>,
    /// The operations, by snake_case name.
    #[serde(deserialize_with = "unique_map")]
    pub operations: BTreeMap<String, Operation>,
}

/// Reads a map whose keys must be unique: a repeated key is an error, not a silent overwrite.
fn unique_map<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct UniqueMap<V>(std::marker::PhantomData<V>);

    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for UniqueMap<V> {
        type Value = BTreeMap<String, V>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map with unique keys")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut access: A,
        ) -> Result<Self::Value, A::Error> {
            let mut map = BTreeMap::new();
            while let Some(key) = access.next_key::<String>()? {
                if map.contains_key(&key) {
                    return Err(serde::de::Error::custom(format_args!(
                        "duplicate key `{key}`"
                    )));
                }
                let value = access.next_value()?;
                map.insert(key, value);
            }
            Ok(map)
        }
    }

    deserializer.deserialize_map(UniqueMap(std::marker::PhantomData))
}

/// API-wide facts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// The API's name, for documentation.
    pub name: String,
    /// What the API is, for the crate documentation.
    pub doc: String,
    /// The API versions in use, oldest first.
    pub versions: Vec<String>,
    /// The default API version, e.g. `v2`.
    pub default_version: String,
    /// The id of the data centre used unless another is configured.
    pub default_data_center: String,
    /// The id of the environment used unless another is configured.
    pub default_environment: String,
    /// How many calls a client runs at once unless configured.
    pub default_concurrency: usize,
}

/// How the access token is sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// The header name.
    pub header: String,
    /// The scheme word before the token.
    pub scheme: String,
    /// Error codes that mean the access token is invalid or expired.
    #[serde(default)]
    pub refresh_on: Vec<String>,
    /// The OAuth token endpoint on the accounts server.
    pub token_endpoint: TokenEndpoint,
}

/// The OAuth token endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEndpoint {
    /// Its path below the accounts URL.
    pub path: String,
    /// The lifetime assumed when a response gives none.
    pub default_lifetime_seconds: u64,
    /// Its documented failures.
    #[serde(default)]
    pub errors: Vec<TokenError>,
}

/// A documented token-endpoint failure.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenError {
    /// The `error` value, or a text the body contains.
    pub error: String,
    /// What kind of failure.
    pub kind: TokenErrorKind,
    /// What to do about it.
    pub resolution: String,
}

/// Kinds of token-endpoint failure.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TokenErrorKind {
    /// Wrong client id or secret, or the wrong data centre.
    InvalidClient,
    /// Invalid, expired or used refresh token or grant code.
    InvalidGrant,
    /// A malformed request.
    InvalidRequest,
    /// Too many token requests.
    Throttled,
}

/// A data centre.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataCenter {
    /// Short lower-case id, e.g. `eu`.
    pub id: String,
    /// Its name, for documentation.
    pub name: String,
    /// The accounts server URL.
    pub accounts_url: String,
    /// The API domain without the environment's host prefix.
    pub api_domain: String,
}

/// An environment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Its id, e.g. `sandbox`.
    pub id: String,
    /// The first label of its API host.
    pub host_prefix: String,
    /// What it is.
    pub doc: String,
}

/// The modules records live in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Modules {
    /// What a module is, for the `Module` type's documentation.
    pub doc: String,
    /// The built-in modules.
    pub builtin: Vec<BuiltinModule>,
    /// Whether and how custom modules are addressed.
    #[serde(default)]
    pub custom: Option<CustomModules>,
}

/// A built-in module.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuiltinModule {
    /// The module's API name, as used in paths (e.g. `Price_Books`).
    pub api_name: String,
    /// The module's name in scopes (e.g. `pricebooks`).
    pub scope_name: String,
    /// The first API version that has it, when later than the first.
    #[serde(default)]
    pub since: Option<String>,
}

/// How custom modules are addressed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomModules {
    /// The module name custom modules share in scopes.
    pub scope_name: String,
    /// Documentation for the custom-module variant.
    pub doc: String,
}

/// The OAuth scope scheme.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scopes {
    /// How scopes work, for documentation.
    pub doc: String,
    /// The one scope that grants everything.
    pub all: String,
    /// The per-module scope template, with `{module}` and `{operation}`.
    pub module: String,
    /// The resource scope template, with `{operation}`.
    pub resource: String,
    /// The operation types scopes are granted for.
    pub operations: Vec<ScopeOperation>,
    /// Other scope templates, by name, with an `{operation}` placeholder, for operations that
    /// are granted by a scope of their own rather than the module and resource pair.
    #[serde(default, deserialize_with = "unique_map")]
    pub others: BTreeMap<String, String>,
}

/// One scope operation type, e.g. `CREATE`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeOperation {
    /// Its name as it appears in scope strings.
    pub name: String,
    /// What it grants.
    pub doc: String,
    /// The other operation types a scope of this type also grants.
    #[serde(default)]
    pub implies: Vec<String>,
}

/// A response type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    /// What the type is.
    pub doc: String,
    /// Its fields, in wire order.
    pub fields: Vec<Field>,
}

/// A field of a response type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The JSON key.
    pub wire: String,
    /// The Rust field name; derived from `wire` when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// `string`, `id`, `datetime`, `bool`, `integer`, `integer_string` (a number sent as a
    /// string), `json` (any JSON value, kept as received), or the name of a type in `types`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether decoding needs the field (only what identifies a result, such as its `id`).
    /// Every other field may be missing or null: Zoho's answers vary by version and case.
    #[serde(default)]
    pub required: bool,
    /// What the field holds.
    pub doc: String,
}

/// One documented case of an error code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCase {
    /// The HTTP status it comes with.
    pub status: u16,
    /// Zoho's message, when documented.
    #[serde(default)]
    pub message: Option<String>,
    /// What to do about it. `{scopes}` stands for the scopes the operation needs, so one text
    /// names READ for a listing and DELETE for a delete.
    pub resolution: String,
    /// For an HTTP 429 (required there, refused elsewhere): which limit the case comes from.
    #[serde(default)]
    pub throttle: Option<Throttle>,
    /// The operations this case is documented for; all that list the code when empty.
    #[serde(default)]
    pub operations: Vec<String>,
}

/// Which limit an HTTP 429 comes from, as the API's documentation tells by its code.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Throttle {
    /// A short-term limit (calls in flight, calls per second) that clears within seconds.
    Rate,
    /// A quota over a long window (a day's API credits).
    Quota,
    /// The documentation does not say which.
    Either,
}

/// An operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// What it does.
    pub doc: String,
    /// The HTTP method.
    pub method: HttpMethod,
    /// Whether repeating the call is harmless; by default, true for GET, PUT and DELETE.
    #[serde(default)]
    pub idempotent: Option<bool>,
    /// The API credits each call (each attempt, retries included) costs.
    pub credits: u32,
    /// The path template, with `{version}` and the path parameters as placeholders.
    pub path: String,
    /// The parameters: in the path, the query string or the multipart form.
    #[serde(default)]
    pub params: Vec<Param>,
    /// The scope operation types that allow it.
    pub scope_operations: Vec<String>,
    /// The scope templates that must all be granted (each of an allowing type): `module`,
    /// `resource`, or a name from `scopes.others`. `[module, resource]` when absent. The scope
    /// that grants everything grants an operation that needs the module scope.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Limits on uploaded files (needed when a parameter is a file).
    #[serde(default)]
    pub limits: Option<Limits>,
    /// How the response is decoded.
    pub response: Response,
    /// How to walk a listing page by page.
    #[serde(default)]
    pub pagination: Option<Pagination>,
    /// The error codes it can return, from the shared table.
    pub errors: Vec<String>,
}

/// An HTTP method.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl HttpMethod {
    /// The method as HTTP writes it, e.g. `GET`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// A parameter of an operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Its wire name (placeholder, query key or form field).
    pub name: String,
    /// Where it goes.
    #[serde(rename = "in")]
    pub location: ParamIn,
    /// What kind of value it takes.
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// Whether every call needs it (path parameters always do).
    #[serde(default)]
    pub required: bool,
    /// The first version that requires it.
    #[serde(default)]
    pub required_from: Option<String>,
    /// The first version that accepts it.
    #[serde(default)]
    pub since: Option<String>,
    /// The smallest value (integers) or number of items (lists).
    #[serde(default)]
    pub min: Option<i64>,
    /// The largest value (integers) or number of items (lists).
    #[serde(default)]
    pub max: Option<i64>,
    /// Versions in which a form parameter is sent in the query string instead.
    #[serde(default)]
    pub query_in: Vec<String>,
    /// For a module parameter: the built-in modules (API names) the operation takes, when
    /// not all of them; custom modules are taken either way.
    #[serde(default)]
    pub modules: Vec<String>,
    /// What it is.
    pub doc: String,
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ParamIn {
    /// A path placeholder.
    Path,
    /// The query string.
    Query,
    /// A multipart/form-data field.
    Form,
    /// A key of the JSON object that is the request body.
    Json,
}

/// The kinds of parameter value, each with its Rust type and its check.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// A module, as the `Module` type.
    Module,
    /// A record id: a positive integer.
    RecordId,
    /// Another id (e.g. an attachment's): a positive integer.
    Id,
    /// Free text without control characters.
    String,
    /// An integer.
    Integer,
    /// A list of names, sent comma-separated.
    StringList,
    /// A list of ids, sent comma-separated.
    IdList,
    /// An absolute http(s) URL.
    Url,
    /// A file, streamed.
    File,
    /// Several files, each streamed as a part of the same form field; `min` and `max` count
    /// the files.
    FileList,
    /// Any JSON value the caller builds (a `json` body key).
    Json,
}

/// Limits on uploaded files.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// The largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Extensions refused, lower case without the dot.
    #[serde(default)]
    pub forbidden_extensions: Vec<String>,
    /// For an operation that takes images only: the formats and the most pixels, checked
    /// from the file's header before it is sent.
    #[serde(default)]
    pub image: Option<ImageLimits>,
}

/// Limits on uploaded images.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageLimits {
    /// The formats accepted.
    pub formats: Vec<ImageFormat>,
    /// The most pixels (width times height) accepted.
    pub max_pixels: u64,
}

/// An image format, recognised by its header.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// GIF.
    Gif,
    /// BMP.
    Bmp,
}

/// How a response is decoded.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// The envelope kind.
    pub kind: ResponseKind,
    /// The HTTP statuses that mean success.
    pub success_status: Vec<u16>,
    /// The statuses that mean "nothing": an empty list, or no such item.
    #[serde(default)]
    pub empty_status: Vec<u16>,
    /// `action` and `action_list`: the type of each item's `details`.
    #[serde(default)]
    pub details: Option<String>,
    /// `list`: the type of each item of `data`.
    #[serde(default)]
    pub item: Option<String>,
    /// `list`: the type of `info`.
    #[serde(default)]
    pub info: Option<String>,
}

/// Response envelope kinds.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    /// `{"data": [{code, details, message, status}]}`, one item.
    Action,
    /// The same, one item per input (e.g. per id), each a success or an error.
    ActionList,
    /// `{"data": [items], "info": {...}}`.
    List,
    /// The body is the content itself (a file), streamed.
    Binary,
}

/// How to walk a listing: which `info` fields say there is more and give the next token, and
/// which request parameters take the page number or token.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// The `info` field (wire name) that says more records follow.
    pub more: String,
    /// The query parameter that takes the page number.
    pub page_param: String,
    /// The `info` field (wire name) that gives the next page's token, where there is one.
    #[serde(default)]
    pub next_token: Option<String>,
    /// The query parameter that takes that token.
    #[serde(default)]
    pub token_param: Option<String>,
}

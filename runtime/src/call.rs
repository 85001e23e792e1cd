//! The one generic call behind every generated operation: check each parameter against its
//! rules for the call's API version, build the path, query string and body from the
//! [`Operation`] descriptor, send, and decode the answer by the response type.

use std::future::Future;

use serde::de::DeserializeOwned;

use crate::body::RequestBody;
use crate::client::{Client, PreparedRequest};
use crate::descriptor::{Kind, Location, Operation, Param, Segment};
use crate::download::Download;
use crate::error::{Error, OperationError, ValidationError};
use crate::file_source::FileSource;
use crate::query::Query;
use crate::validate;
use crate::version::Version;
use crate::zoho::{self, ActionResponse, ActionResults, ListPage};

/// A parameter's value as the generated request passes it, in [`Operation::params`] order.
#[derive(Debug)]
pub enum Value {
    /// An optional parameter that is not set.
    Absent,
    /// A module, by API name, with the first version that has it.
    Module {
        /// The module's API name.
        api_name: String,
        /// The first API version that has the module, if not all do.
        since: Option<Version>,
    },
    /// Text (an id, a URL, ...).
    Text(String),
    /// An integer.
    Integer(i64),
    /// A list of text items.
    List(Vec<String>),
    /// A file.
    File(FileSource),
}

impl Value {
    /// A module's value: its API name (already checked) and the first version that has it.
    pub fn module(api_name: &str, since: Option<Version>) -> Value {
        Value::Module {
            api_name: api_name.to_owned(),
            since,
        }
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Integer(value)
    }
}

impl From<Vec<String>> for Value {
    fn from(value: Vec<String>) -> Self {
        Value::List(value)
    }
}

impl From<FileSource> for Value {
    fn from(value: FileSource) -> Self {
        Value::File(value)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Absent, Into::into)
    }
}

/// A call's API version (the client's when `None`) and its parameter values, in
/// [`Operation::params`] order, as a generated request gives them.
pub type Call = (Option<Version>, Vec<Value>);

/// A generated request: its call's version and values.
pub trait IntoCall {
    /// The call's API version (the client's when `None`) and its values.
    fn into_call(self) -> Call;
}

impl IntoCall for Call {
    fn into_call(self) -> Call {
        self
    }
}

/// A successful answer's type, which says how it is read.
pub trait Answer<E: OperationError>: Sized {
    /// Sends `request` for `operation` and decodes the answer.
    fn fetch(
        client: &Client,
        request: PreparedRequest,
        operation: &'static Operation,
    ) -> impl Future<Output = Result<Self, Error<E>>> + Send;
}

impl<T: DeserializeOwned + Send, E: OperationError + Send> Answer<E> for ActionResponse<T> {
    fn fetch(
        client: &Client,
        request: PreparedRequest,
        operation: &'static Operation,
    ) -> impl Future<Output = Result<Self, Error<E>>> + Send {
        client.execute_action(request, operation.success_status)
    }
}

impl<T: DeserializeOwned + Send, E: OperationError + Send> Answer<E> for ActionResults<T, E> {
    fn fetch(
        client: &Client,
        request: PreparedRequest,
        operation: &'static Operation,
    ) -> impl Future<Output = Result<Self, Error<E>>> + Send {
        client.execute_action_list(request, operation.success_status)
    }
}

impl<T, I, E> Answer<E> for ListPage<T, I>
where
    T: DeserializeOwned + Send,
    I: DeserializeOwned + Send,
    E: OperationError + Send,
{
    fn fetch(
        client: &Client,
        request: PreparedRequest,
        operation: &'static Operation,
    ) -> impl Future<Output = Result<Self, Error<E>>> + Send {
        client.execute_list(request, operation.success_status, operation.empty_status)
    }
}

impl<E: OperationError + Send> Answer<E> for Option<Download> {
    fn fetch(
        client: &Client,
        request: PreparedRequest,
        operation: &'static Operation,
    ) -> impl Future<Output = Result<Self, Error<E>>> + Send {
        client.execute_binary(request, operation.success_status, operation.empty_status)
    }
}

impl Client {
    /// Runs `operation` with the values of `request` at its version: every parameter is
    /// checked before anything is sent. Generated operations call it.
    #[doc(hidden)]
    pub async fn call<A: Answer<E>, E: OperationError>(
        &self,
        operation: &'static Operation,
        request: impl IntoCall,
    ) -> Result<A, Error<E>> {
        let (version, values) = request.into_call();
        let version = version.unwrap_or_else(|| self.api_version());
        let request = prepare(operation, version, values)?;
        A::fetch(self, request, operation).await
    }
}

/// Checks `values` against the operation's rules and builds the request.
fn prepare(
    operation: &'static Operation,
    version: Version,
    values: Vec<Value>,
) -> Result<PreparedRequest, ValidationError> {
    if values.len() != operation.params.len() {
        return Err(wrong_kind(operation.name));
    }
    for (param, value) in operation.params.iter().zip(&values) {
        check(param, value, version)?;
    }
    let mut path = String::new();
    for segment in operation.path {
        path.push('/');
        match segment {
            Segment::Literal(text) => path.push_str(text),
            Segment::Version => path.push_str(version.as_str()),
            Segment::Param(index) => match values.get(*index) {
                Some(Value::Module { api_name, .. }) => path.push_str(api_name),
                Some(Value::Text(text)) => path.push_str(text),
                _ => return Err(wrong_kind(operation.name)),
            },
        }
    }
    let mut query = Query::new();
    let pairs = operation.params.iter().zip(&values);
    for (param, value) in pairs.clone() {
        if param.location == Location::Query
            && let Some(text) = as_text(value)
        {
            query.push(param.name, text);
        }
    }
    let has_form = operation
        .params
        .iter()
        .any(|p| p.location == Location::Form);
    let mut body = RequestBody::multipart();
    for (param, value) in operation.params.iter().zip(values) {
        if param.location != Location::Form {
            continue;
        }
        if let Value::File(source) = value {
            let limits = operation.limits.ok_or_else(|| wrong_kind(operation.name))?;
            body = body.file(param.name, source, limits);
        } else if let Some(text) = as_text(&value) {
            if param.query_in.contains(&version) {
                query.push(param.name, text);
            } else {
                body = body.text(param.name, text);
            }
        }
    }
    query.append_to(&mut path);
    Ok(PreparedRequest {
        method: operation.method.to_reqwest(),
        path,
        path_template: operation.path_template,
        body: (has_form && !body.is_empty()).then_some(body),
        idempotent: operation.idempotent,
    })
}

/// A value as it is written in a query string or a text field.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Text(text) => Some(text.clone()),
        Value::Integer(number) => Some(number.to_string()),
        Value::List(items) => Some(items.join(",")),
        Value::Module { api_name, .. } => Some(api_name.clone()),
        Value::Absent | Value::File(_) => None,
    }
}

/// Checks one value against its parameter's rules for `version`.
fn check(param: &Param, value: &Value, version: Version) -> Result<(), ValidationError> {
    let name = param.name;
    match (param.kind, value) {
        (_, Value::Absent) => {}
        (Kind::Module, Value::Module { api_name, since }) => {
            if let Some(since) = *since
                && version < since
            {
                return Err(ValidationError::ModuleNotInVersion {
                    module: api_name.clone(),
                    since: since.as_str(),
                    version: version.to_string(),
                });
            }
        }
        (Kind::RecordId, Value::Text(text)) => zoho::record_id(text)?,
        (Kind::Id, Value::Text(text)) => zoho::id(name, text)?,
        (Kind::Text, Value::Text(text)) => validate::text(name, text)?,
        (Kind::Url, Value::Text(text)) => validate::http_url(text)?,
        (Kind::Integer, Value::Integer(number)) => {
            validate::range(name, *number, param.min, param.max)?;
        }
        (Kind::TextList | Kind::IdList, Value::List(items)) => {
            let length = i64::try_from(items.len()).unwrap_or(i64::MAX);
            validate::range(name, length, param.min, param.max)?;
            for item in items {
                if param.kind == Kind::IdList {
                    zoho::id(name, item)?;
                } else {
                    validate::list_item(name, item)?;
                }
            }
        }
        (Kind::File, Value::File(_)) => {}
        _ => return Err(wrong_kind(name)),
    }
    let present = !matches!(value, Value::Absent);
    if let Some(since) = param.since
        && present
        && version < since
    {
        return Err(ValidationError::ParameterNotInVersion {
            name,
            since: since.as_str(),
            version: version.to_string(),
        });
    }
    if let Some(required_from) = param.required_from
        && !present
        && version >= required_from
    {
        return Err(ValidationError::MissingParameter {
            name,
            required_from: required_from.as_str(),
            version: version.to_string(),
        });
    }
    Ok(())
}

/// The generated code passed values that do not fit the descriptor (a generator bug, reported
/// rather than panicking).
pub(crate) fn wrong_kind(name: &'static str) -> ValidationError {
    ValidationError::InvalidParameter {
        name,
        reason: "the value does not fit the operation's descriptor".to_owned(),
    }
}

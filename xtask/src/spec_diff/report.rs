//! The report: differences grouped by operation, one line each, and a summary line.

use std::fmt;

use super::facts::Location;

/// Everything `spec-diff` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// One group per operation (and first, if any, one for operations only one side has).
    pub groups: Vec<Group>,
}

/// The differences about one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Which operation: `METHOD path (operationId) vs spec_name, ...`.
    pub title: String,
    /// What differs, in report order.
    pub differences: Vec<Difference>,
}

/// One difference between the OpenAPI description and the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// The OpenAPI description has it; the spec does not.
    OnlyInOpenApi(Item),
    /// The spec has it; the OpenAPI description does not.
    OnlyInSpec(Item),
    /// Both have the parameter, in different places.
    LocationDiffers {
        /// Its wire name.
        name: String,
        /// Where the OpenAPI description puts it.
        openapi: Vec<Location>,
        /// Where the spec puts it in the version compared.
        spec: Vec<Location>,
    },
    /// The two sides declare different numbers of path parameters.
    PathParameterCount {
        /// How many the OpenAPI description declares.
        openapi: usize,
        /// How many the spec declares.
        spec: usize,
    },
}

/// A thing only one side has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// An operation, as that side names it.
    Operation(String),
    /// A query, form, header or cookie parameter.
    Parameter {
        /// Its wire name.
        name: String,
        /// Where it goes.
        location: Location,
    },
    /// A field of a JSON success response.
    ResponseField {
        /// The spec type that holds it, or where it sits in the body when the spec has none.
        of: String,
        /// Its wire name, or dotted path below a field (`Owner.email`).
        field: String,
    },
    /// An HTTP status.
    Status(String),
    /// An error code.
    ErrorCode(String),
}

impl Report {
    /// How many differences there are.
    pub fn difference_count(&self) -> usize {
        self.groups
            .iter()
            .map(|group| group.differences.len())
            .sum()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for group in &self.groups {
            writeln!(f, "{}", group.title)?;
            if group.differences.is_empty() {
                writeln!(f, "  no differences")?;
            }
            for difference in &group.differences {
                writeln!(f, "  {difference}")?;
            }
        }
        match self.difference_count() {
            0 => writeln!(f, "no differences"),
            1 => writeln!(f, "1 difference"),
            count => writeln!(f, "{count} differences"),
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::OnlyInOpenApi(item) => write!(f, "only in OpenAPI: {item}"),
            Difference::OnlyInSpec(item) => write!(f, "only in the spec: {item}"),
            Difference::LocationDiffers {
                name,
                openapi,
                spec,
            } => write!(
                f,
                "location differs: parameter {name}: {} in OpenAPI, {} in the spec",
                locations(openapi),
                locations(spec)
            ),
            Difference::PathParameterCount { openapi, spec } => write!(
                f,
                "count differs: path parameters: {openapi} in OpenAPI, {spec} in the spec"
            ),
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Operation(name) => write!(f, "operation {name}"),
            Item::Parameter { name, location } => {
                write!(f, "{} parameter {name}", location.as_str())
            }
            Item::ResponseField { of, field } => write!(f, "response field of {of}: {field}"),
            Item::Status(status) => write!(f, "status {status}"),
            Item::ErrorCode(code) => write!(f, "error code {code}"),
        }
    }
}

/// `query`, or `query and form`.
fn locations(locations: &[Location]) -> String {
    locations
        .iter()
        .map(|location| location.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}

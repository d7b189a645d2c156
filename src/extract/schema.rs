//! What the extractor selects of each entity type, derived from the API's own schema (introspection), so a
//! field added to the API becomes a new (nullable) column without a new extractor.
//!
//! Rules: every field without arguments is taken; scalars and enums as they are; a reference to an object
//! with an `id` (a user, an order, …) as `{ id }`; other objects (cross references, access rules) as a
//! struct of their own fields, two levels deep. Fields with arguments (logs, capped nested lists) and the
//! fields in [`DERIVED`] are left out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::entity::EntityType;
use super::error::ExtractError;

/// Fields left out: a dataset's people come from its order (an order change is not a change of its
/// datasets, so they would go stale; join `datasets.order.id` with `orders`), and its files' state comes
/// from the object store, which the change feed does not track.
pub const DERIVED: [(&str, &str); 5] = [
    ("Dataset", "authors"),
    ("Dataset", "generators"),
    ("Dataset", "organisation"),
    ("Dataset", "editors"),
    ("Dataset", "files"),
];

/// Nesting depth of value objects taken as structs.
const MAX_DEPTH: usize = 2;

/// The kind of a scalar column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scalar {
    /// Text, ids and enum values.
    String,
    /// A whole number.
    Int,
    /// A floating point number.
    Float,
    /// A boolean.
    Boolean,
    /// A `DateTime` (RFC 3339, UTC).
    DateTime,
    /// Any JSON (kept as its text).
    Json,
}

/// One selected field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// Field name.
    pub name: String,
    /// Whether the field is a list.
    pub list: bool,
    /// A scalar, or (when `fields` is not empty) a struct of these fields.
    pub scalar: Option<Scalar>,
    /// The struct's fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldSpec>,
}

/// The selected fields of every entity type.
pub type Specs = BTreeMap<EntityType, Vec<FieldSpec>>;

/// The introspection query the extractor sends.
pub const INTROSPECTION: &str = "query ExtractSchema { __schema { types { name kind fields { name args { name } \
     type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

#[derive(Deserialize)]
struct TypeRef {
    kind: String,
    name: Option<String>,
    #[serde(rename = "ofType")]
    of_type: Option<Box<TypeRef>>,
}

#[derive(Deserialize)]
struct FieldDef {
    name: String,
    args: Vec<Value>,
    #[serde(rename = "type")]
    ty: TypeRef,
}

#[derive(Deserialize)]
struct TypeDef {
    name: String,
    fields: Option<Vec<FieldDef>>,
}

/// Builds the field specs of `types` from an introspection answer (`data` of [`INTROSPECTION`]).
pub fn specs_from_introspection(data: &Value, types: &[EntityType]) -> Result<Specs, ExtractError> {
    let defs: Vec<TypeDef> = serde_json::from_value(data.pointer("/__schema/types").cloned().unwrap_or(Value::Null))
        .map_err(|e| ExtractError::Incomplete(format!("unexpected introspection answer: {e}")))?;
    let by_name: BTreeMap<&str, &TypeDef> = defs.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut out = Specs::new();
    for t in types {
        let fields = fields_of(&by_name, t.object_type(), 0)
            .ok_or_else(|| ExtractError::Config(format!("the API has no type {}", t.object_type())))?;
        if !fields.iter().any(|f| f.name == "id" && !f.list && f.scalar.is_some()) {
            return Err(ExtractError::Config(format!("type {} has no id", t.object_type())));
        }
        out.insert(*t, fields);
    }
    Ok(out)
}

fn fields_of(by_name: &BTreeMap<&str, &TypeDef>, type_name: &str, depth: usize) -> Option<Vec<FieldSpec>> {
    let def = by_name.get(type_name)?;
    let mut out = Vec::new();
    let mut defs: Vec<&FieldDef> = def.fields.as_ref()?.iter().collect();
    defs.sort_by(|a, b| a.name.cmp(&b.name));
    for f in defs {
        if !f.args.is_empty() || f.name.starts_with("__") || DERIVED.contains(&(type_name, f.name.as_str())) {
            continue;
        }
        let (list, base) = unwrap(&f.ty);
        let Some(base_name) = base.name.as_deref() else { continue };
        let spec = match base.kind.as_str() {
            "SCALAR" | "ENUM" => {
                FieldSpec { name: f.name.clone(), list, scalar: Some(scalar(base_name)), fields: vec![] }
            }
            "OBJECT" => {
                let target = by_name.get(base_name)?;
                let has_id = target.fields.as_ref().is_some_and(|fs| fs.iter().any(|x| x.name == "id"));
                let fields = if has_id {
                    vec![FieldSpec { name: "id".into(), list: false, scalar: Some(Scalar::String), fields: vec![] }]
                } else if depth < MAX_DEPTH {
                    fields_of(by_name, base_name, depth + 1).unwrap_or_default()
                } else {
                    vec![]
                };
                if fields.is_empty() {
                    continue;
                }
                FieldSpec { name: f.name.clone(), list, scalar: None, fields }
            }
            _ => continue,
        };
        out.push(spec);
    }
    Some(out)
}

/// (whether a list, the named type under the wrappers).
fn unwrap(t: &TypeRef) -> (bool, &TypeRef) {
    let mut list = false;
    let mut cur = t;
    while let Some(inner) = cur.of_type.as_deref() {
        if cur.kind == "LIST" {
            list = true;
        }
        cur = inner;
    }
    (list, cur)
}

fn scalar(name: &str) -> Scalar {
    match name {
        "Int" => Scalar::Int,
        "Float" => Scalar::Float,
        "Boolean" => Scalar::Boolean,
        "DateTime" => Scalar::DateTime,
        "JSON" => Scalar::Json,
        _ => Scalar::String,
    }
}

/// The GraphQL selection set of `fields` (without braces).
pub fn selection(fields: &[FieldSpec]) -> String {
    let mut out = String::new();
    for f in fields {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&f.name);
        if !f.fields.is_empty() {
            out.push_str(" { ");
            out.push_str(&selection(&f.fields));
            out.push_str(" }");
        }
    }
    out
}

/// Merges the specs of a previous run with today's: fields only in `old` stay (their column stays, null
/// from now on), new fields are added. A field whose shape changed is a configuration error.
pub fn merge_specs(old: &Specs, new: &Specs) -> Result<Specs, ExtractError> {
    let mut out = new.clone();
    for (t, old_fields) in old {
        let Some(fields) = out.get_mut(t) else { continue };
        for of in old_fields {
            match fields.iter().find(|f| f.name == of.name) {
                Some(nf) if nf.list != of.list || nf.scalar != of.scalar => {
                    return Err(ExtractError::Config(format!(
                        "the API changed the type of {t}.{}; extract again into a new directory or with --full",
                        of.name
                    )))
                }
                Some(_) => {}
                None => fields.push(of.clone()),
            }
        }
        fields.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(out)
}

/// The schema of this build of datatracker, introspected in process (used when the server answers no
/// introspection).
pub async fn local_specs(types: &[EntityType]) -> Result<Specs, ExtractError> {
    let schema = crate::graphql::build_schema(&crate::config::GraphqlSettings {
        max_depth: 15,
        max_complexity: 100_000,
        max_complexity_anonymous: 100_000,
        introspection: true,
        graphiql: false,
    })
    .finish();
    let resp = schema.execute(INTROSPECTION).await;
    if !resp.errors.is_empty() {
        return Err(ExtractError::Incomplete(format!("local introspection failed: {:?}", resp.errors)));
    }
    let data = serde_json::to_value(&resp.data).map_err(|e| ExtractError::Incomplete(e.to_string()))?;
    specs_from_introspection(&data, types)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_schema_gives_references_structs_and_no_derived_or_paged_fields() {
        let specs = local_specs(&EntityType::ALL).await.unwrap();
        let ds = &specs[&EntityType::Datasets];
        let names: Vec<&str> = ds.iter().map(|f| f.name.as_str()).collect();
        for skipped in ["log", "related", "collections", "authors", "files", "editors"] {
            assert!(!names.contains(&skipped), "{skipped} in {names:?}");
        }
        let xr = ds.iter().find(|f| f.name == "crossReferences").unwrap();
        assert!(xr.list);
        assert_eq!(xr.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["kind", "url", "value"]);
        let order = ds.iter().find(|f| f.name == "order").unwrap();
        assert_eq!(selection(std::slice::from_ref(order)), "order { id }");
        let rules = ds.iter().find(|f| f.name == "accessRules").unwrap();
        assert!(selection(std::slice::from_ref(rules)).contains("users { id }"));
        let users = &specs[&EntityType::Users];
        assert!(!users.iter().any(|f| f.name == "actions" || f.name == "log"));
        assert!(users.iter().any(|f| f.name == "email"));
    }

    #[test]
    fn merge_keeps_old_fields_and_refuses_type_changes() {
        let f = |name: &str, scalar| FieldSpec { name: name.into(), list: false, scalar: Some(scalar), fields: vec![] };
        let old = Specs::from([(EntityType::Orders, vec![f("id", Scalar::String), f("gone", Scalar::Int)])]);
        let new = Specs::from([(EntityType::Orders, vec![f("id", Scalar::String), f("added", Scalar::Boolean)])]);
        let merged = merge_specs(&old, &new).unwrap();
        let names: Vec<_> = merged[&EntityType::Orders].iter().map(|f| f.name.clone()).collect();
        assert_eq!(names, ["added", "gone", "id"]);
        let changed = Specs::from([(EntityType::Orders, vec![f("id", Scalar::Int)])]);
        assert!(matches!(merge_specs(&old, &changed), Err(ExtractError::Config(_))));
    }
}

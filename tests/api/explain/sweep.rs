//! Calls every GET operation of the served OpenAPI document as each caller, without filters,
//! with each documented query filter alone and with all of them, and with a second page:
//! list operations first, their answers giving the ids (and numbers, kinds, versions,
//! subjects) that the operations with path parameters are then called with.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::harness::{with_token, TestApp};

/// Values a filter can be given, by the filter's name; ids come from the lists.
pub struct Hints {
    pub by_name: Vec<(&'static str, String)>,
}

#[derive(Default)]
pub struct Sweep {
    /// Per operation (path template), the statuses it answered.
    pub answered: BTreeMap<String, BTreeSet<u16>>,
    /// (template, key) → values seen in its answers.
    harvested: BTreeMap<(String, String), BTreeSet<String>>,
}

/// Keys whose values path parameters are filled with.
const KEYS: [&str; 5] = ["id", "subject_id", "number", "kind", "version"];

/// Operations left out: no SQL of a list or search (probes, metrics), or reached only with a
/// value no answer gives (a signed content link, a QR code's signature).
pub const LEFT_OUT: [&str; 6] = [
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/documents/{id}/content",
    "/api/v1/public/certificates/verify",
    "/api/v1/public/certificates/signing-key",
];

impl Sweep {
    pub async fn run(&mut self, app: &TestApp, base: &str, callers: &[Option<&str>], hints: &Hints) {
        let document: Value = app.get("/openapi.json", None).await.body;
        let schemas = document["components"]["schemas"].clone();
        let mut operations: Vec<(String, Value)> = document["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .filter(|(path, _)| !LEFT_OUT.contains(&path.as_str()))
            .filter_map(|(path, item)| item.get("get").map(|op| (path.clone(), op.clone())))
            .collect();
        // Fewer path parameters first: their answers fill the others.
        operations.sort_by_key(|(path, _)| path.matches('{').count());
        for (template, op) in operations {
            let parameters = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut paths = vec![template.clone()];
            for p in parameters.iter().filter(|p| p["in"] == "path") {
                let name = p["name"].as_str().unwrap();
                let values = self.path_values(&template, name, &resolve(&p["schema"], &schemas));
                paths = paths
                    .iter()
                    .flat_map(|path| values.iter().map(move |v| path.replace(&format!("{{{name}}}"), v)))
                    .collect();
            }
            let queries = queries(&parameters, &schemas, hints, self);
            for path in &paths {
                for query in &queries {
                    for caller in callers {
                        let request = app.client.get(format!("{base}{path}")).query(query);
                        let answer = app.send(with_token(request, *caller)).await;
                        self.answered.entry(template.clone()).or_default().insert(answer.status);
                        if answer.status < 300 {
                            self.harvest(&template, &answer.body);
                        }
                    }
                }
            }
        }
    }

    /// What path parameter `name` of `template` is filled with: an enum's values, or the values
    /// of its key in the answers of the nearest operation above it.
    fn path_values(&self, template: &str, name: &str, schema: &Value) -> Vec<String> {
        if let Some(values) = schema["enum"].as_array() {
            return values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
        }
        let key = if name == "subject_id" { "subject_id" } else { name };
        let mut above = template.split(&format!("/{{{name}}}")).next().unwrap().to_owned();
        loop {
            if let Some(values) = self.harvested.get(&(above.clone(), key.to_owned())) {
                return values.iter().take(3).cloned().collect();
            }
            match above.rsplit_once('/') {
                Some((parent, _)) if !parent.is_empty() => above = parent.to_owned(),
                _ => return vec!["0".to_owned()],
            }
        }
    }

    fn harvest(&mut self, template: &str, body: &Value) {
        match body {
            Value::Array(items) => items.iter().for_each(|v| self.harvest(template, v)),
            Value::Object(fields) => {
                for (key, value) in fields {
                    if KEYS.contains(&key.as_str()) {
                        let text = match value {
                            Value::String(s) => Some(s.clone()),
                            Value::Number(n) => Some(n.to_string()),
                            _ => None,
                        };
                        if let Some(text) = text {
                            self.harvested
                                .entry((template.to_owned(), key.clone()))
                                .or_default()
                                .insert(text);
                        }
                    }
                    self.harvest(template, value);
                }
            }
            _ => {}
        }
    }

    /// Any id harvested from the list at `template`.
    fn id_from(&self, template: &str) -> Option<String> {
        self.harvested
            .get(&(template.to_owned(), "id".to_owned()))
            .and_then(|v| v.iter().next().cloned())
    }
}

/// A schema with its `$ref` followed.
fn resolve(schema: &Value, schemas: &Value) -> Value {
    match schema["$ref"].as_str() {
        Some(r) => schemas[r.rsplit('/').next().unwrap()].clone(),
        None => schema.clone(),
    }
}

/// The query strings to call an operation with: the required filters always; then none,
/// each optional one alone (each of its values), all of them, and a second page.
fn queries(parameters: &[Value], schemas: &Value, hints: &Hints, sweep: &Sweep) -> Vec<Vec<(String, String)>> {
    let mut required = Vec::new();
    let mut optional: Vec<(String, Vec<String>)> = Vec::new();
    for p in parameters.iter().filter(|p| p["in"] == "query") {
        let name = p["name"].as_str().unwrap().to_owned();
        if name == "page" || name == "per_page" {
            continue;
        }
        let values = filter_values(&name, &resolve(&p["schema"], schemas), p, hints, sweep);
        if p["required"] == true {
            required.push((name, values[0].clone()));
        } else {
            optional.push((name, values));
        }
    }
    let paged = parameters.iter().any(|p| p["name"] == "page");
    let with = |extra: Vec<(String, String)>| required.iter().cloned().chain(extra).collect::<Vec<_>>();
    let mut out = vec![with(vec![])];
    for (name, values) in &optional {
        for v in values {
            out.push(with(vec![(name.clone(), v.clone())]));
        }
    }
    if optional.len() > 1 {
        out.push(with(optional.iter().map(|(n, v)| (n.clone(), v[0].clone())).collect()));
    }
    if paged {
        out.push(with(vec![("page".into(), "2".into()), ("per_page".into(), "1".into())]));
    }
    out
}

fn filter_values(name: &str, schema: &Value, p: &Value, hints: &Hints, sweep: &Sweep) -> Vec<String> {
    if let Some(values) = schema["enum"].as_array() {
        return values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
    }
    if schema["type"] == "boolean" {
        return vec!["true".into(), "false".into()];
    }
    if schema["type"] == "integer" {
        return vec!["1".into()];
    }
    let from_list = match name {
        "enterprise_id" => sweep.id_from("/api/v1/enterprises"),
        "project_id" => sweep.id_from("/api/v1/projects"),
        "batch_id" => sweep.id_from("/api/v1/exam-batches"),
        _ => None,
    };
    if let Some(id) = from_list {
        return vec![id];
    }
    // "a | b | c" in the description lists the values.
    let description = p["description"].as_str().unwrap_or_default();
    if description.contains(" | ") {
        return description
            .split('|')
            .filter_map(|v| v.split_whitespace().next().map(str::to_owned))
            .collect();
    }
    if let Some((_, v)) = hints.by_name.iter().find(|(n, _)| *n == name) {
        return vec![v.clone()];
    }
    vec!["x".into()]
}

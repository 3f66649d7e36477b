//! The draft form as the API's body: the console's field names (`score:<n>`, `note:<n>`,
//! `rectification:<n>`) become `PUT /assessments/{id}/items`'s items, unchecked (the API
//! checks them).

use serde_json::{json, Map, Value};

/// The API's `PUT /assessments/{id}/items` body from the form: every item's fields the form
/// sent. An empty score clears it; a score that is no number goes as text, for the API to
/// refuse.
pub fn fills(typed: &[(String, String)]) -> Value {
    let mut items: Vec<(String, Map<String, Value>)> = Vec::new();
    for (key, value) in typed {
        let Some((field, number)) = key.split_once(':') else {
            continue;
        };
        let (field, value) = match field {
            "score" if value.trim().is_empty() => ("self_score", Value::Null),
            "score" => (
                "self_score",
                value.trim().parse::<f64>().map_or_else(|_| json!(value), |n| json!(n)),
            ),
            "note" => ("self_note", json!(value)),
            "rectification" => ("rectification_note", json!(value)),
            _ => continue,
        };
        let at = match items.iter().position(|(n, _)| n == number) {
            Some(at) => at,
            None => {
                let mut fill = Map::new();
                fill.insert("number".into(), json!(number));
                items.push((number.to_owned(), fill));
                items.len() - 1
            }
        };
        items[at].1.insert(field.into(), value);
    }
    json!({"items": items.into_iter().map(|(_, fill)| Value::Object(fill)).collect::<Vec<_>>()})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessments::filling::SaveItemsBody;
    use crate::console::page::api_body;

    fn typed(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_form_becomes_the_apis_body() {
        let body = fills(&typed(&[
            ("csrf", "x"),
            ("score:1", " 7.5 "),
            ("note:1", "已整改"),
            ("score:2", ""),
            ("rectification:2", "补充材料"),
            ("note:09", "名单"),
        ]));
        assert_eq!(
            body,
            json!({"items": [
                {"number": "1", "self_score": 7.5, "self_note": "已整改"},
                {"number": "2", "self_score": null, "rectification_note": "补充材料"},
                {"number": "09", "self_note": "名单"},
            ]})
        );
    }

    #[test]
    fn a_score_that_is_no_number_is_the_apis_to_refuse() {
        let body = fills(&typed(&[("score:1", "seven")]));
        assert_eq!(body["items"][0]["self_score"], "seven");
        let refused = api_body::<SaveItemsBody>(body).err().expect("refused");
        assert_eq!(refused.code, "request.invalid_fields");
    }
}

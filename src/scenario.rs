//! A scenario: the target and the family, as the JSON file `--scenario`
//! reads and the window saves (`{"target": [...], "family": {...}}`).
//! Reading is strict and bounded: at most [`MAX_SCENARIO_BYTES`], every
//! field known (a misspelt one is named, not ignored), a leading byte-order
//! mark accepted, and each problem said in the file's own terms.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::defaults::{MAX_SIGMA, SIGMA_FLOOR};
use crate::error::{Error, Result};
use crate::number::readable;
use crate::objective::Family;
use crate::target::{Mixture, Mode};

/// Largest scenario file read: a scenario is a few hundred bytes.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// A target and a model family.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The mixture p.
    pub target: Mixture,
    /// gaussian or fixed sigma.
    pub family: Family,
}

/// Checks a family: a held sigma must lie between the floor and [`MAX_SIGMA`].
pub fn check_family(family: Family) -> Result<Family> {
    match family.fixed_sigma() {
        Some(s) if !(SIGMA_FLOOR..=MAX_SIGMA).contains(&s) => Err(Error::input(format!(
            "fixed sigma must lie in [{SIGMA_FLOOR}, {}] (got {})",
            readable(MAX_SIGMA),
            readable(s)
        ))),
        _ => Ok(family),
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            target: Mixture::widget_default(),
            family: Family::Gaussian,
        }
    }
}

/// A JSON value read with every object's keys distinct: serde_json's own
/// `Value` keeps the last of two equal keys, so a mode written with two
/// "mean"s would silently lose one.
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key \"{key}\" appears twice in one object"
                )));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// The object at `what`, refusing any key not in `known`.
fn object<'a>(value: &'a Value, what: &str, known: &[&str]) -> Result<&'a Map<String, Value>> {
    let map = value
        .as_object()
        .ok_or_else(|| Error::input(format!("{what} must be a JSON object")))?;
    if let Some(key) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(Error::input(format!(
            "{what} has an unknown field \"{key}\" (known: {})",
            known.join(", ")
        )));
    }
    Ok(map)
}

/// The number at `map[key]`.
fn number(map: &Map<String, Value>, key: &str, what: &str) -> Result<f64> {
    match map.get(key) {
        None => Err(Error::input(format!("{what} has no \"{key}\""))),
        Some(v) => v
            .as_f64()
            .ok_or_else(|| Error::input(format!("{what}: \"{key}\" must be a number, not {v}"))),
    }
}

fn parse_family(value: &Value) -> Result<Family> {
    let map = object(value, "\"family\"", &["kind", "sigma"])?;
    match map.get("kind").and_then(Value::as_str) {
        Some("gaussian") if !map.contains_key("sigma") => Ok(Family::Gaussian),
        Some("gaussian") => Err(Error::input(
            "\"family\": the gaussian family learns sigma; \"sigma\" belongs to \"fixed_sigma\"",
        )),
        Some("fixed_sigma") => Ok(Family::FixedSigma {
            sigma: number(map, "sigma", "\"family\"")?,
        }),
        _ => Err(Error::input(
            "\"family\": \"kind\" must be \"gaussian\" or \"fixed_sigma\"",
        )),
    }
}

impl Scenario {
    /// Parses a scenario from JSON text (a leading byte-order mark is allowed).
    pub fn from_json(text: &str) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value = serde_json::from_str::<Strict>(text)
            .map_err(|e| match e.classify() {
                // A duplicate key, said with its line and column.
                serde_json::error::Category::Data => Error::input(format!("scenario: {e}")),
                _ => Error::input(format!(
                    "scenario is not valid JSON (line {}, column {})",
                    e.line(),
                    e.column()
                )),
            })?
            .0;
        let top = object(&value, "the scenario", &["target", "family"])?;
        let modes = top
            .get("target")
            .ok_or_else(|| Error::input("the scenario has no \"target\""))?
            .as_array()
            .ok_or_else(|| Error::input("\"target\" must be a list of modes"))?
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let what = format!("target mode {}", i + 1);
                let map = object(m, &what, &["weight", "mean", "std"])?;
                Ok(Mode {
                    weight: number(map, "weight", &what)?,
                    mean: number(map, "mean", &what)?,
                    std: number(map, "std", &what)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let family = match top.get("family") {
            Some(f) => parse_family(f)?,
            None => Family::Gaussian,
        };
        Ok(Self {
            target: Mixture::new(modes)?,
            family: check_family(family)?,
        })
    }

    /// Reads a scenario file (at most [`MAX_SCENARIO_BYTES`], UTF-8).
    pub fn load(path: &Path) -> Result<Self> {
        let cannot = |why: String| {
            Error::input(format!(
                "cannot read scenario file '{}': {why}",
                path.display()
            ))
        };
        let file = std::fs::File::open(path).map_err(|e| cannot(e.to_string()))?;
        let mut bytes = Vec::new();
        file.take(MAX_SCENARIO_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| cannot(e.to_string()))?;
        if bytes.len() as u64 > MAX_SCENARIO_BYTES {
            return Err(cannot(format!(
                "larger than {} KiB; a scenario is a few hundred bytes",
                MAX_SCENARIO_BYTES >> 10
            )));
        }
        let text = String::from_utf8(bytes).map_err(|_| cannot("not UTF-8 text".into()))?;
        Self::from_json(&text).map_err(|e| Error::input(format!("{}: {e}", path.display())))
    }

    /// The JSON text of this scenario.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&json!({
            "target": self.target.modes(),
            "family": self.family,
        }))
        .expect("a scenario always serialises")
    }

    /// Writes the scenario as JSON, whole or not at all.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::output::write_atomic(path, self.to_json().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_scenario_reads_back_and_a_bom_is_accepted() {
        let s = Scenario {
            target: Mixture::parse("0.3:-1:0.5,0.7:2:1.5").unwrap(),
            family: Family::FixedSigma { sigma: 1.5 },
        };
        assert_eq!(Scenario::from_json(&s.to_json()).unwrap(), s);
        let bom = format!("\u{feff}{}", s.to_json());
        assert_eq!(Scenario::from_json(&bom).unwrap(), s);
    }

    #[test]
    fn unknown_fields_and_wrong_shapes_are_named() {
        let mode = r#"{"weight": 1, "mean": 0, "std": 1}"#;
        for (text, needle) in [
            (
                format!(r#"{{"target": [{mode}], "famliy": {{"kind": "gaussian"}}}}"#),
                "unknown field \"famliy\"",
            ),
            (
                r#"{"target": [{"weight": 1, "mean": 0, "sd": 1}]}"#.into(),
                "target mode 1 has an unknown field \"sd\"",
            ),
            ("[1, 2]".into(), "the scenario must be a JSON object"),
            (r#"{"target": 3}"#.into(), "\"target\" must be a list"),
            (
                r#"{"target": [{"weight": "1", "mean": 0, "std": 1}]}"#.into(),
                "\"weight\" must be a number",
            ),
            (
                format!(r#"{{"target": [{mode}], "family": {{"kind": "fixed"}}}}"#),
                "\"kind\" must be",
            ),
            ("{\"target\": [".into(), "line 1"),
            (
                r#"{"target": [{"weight": 1, "mean": 0, "std": 1, "mean": 3}]}"#.into(),
                "the key \"mean\" appears twice in one object at line 1",
            ),
            (
                format!(r#"{{"target": [{mode}], "target": [{mode}]}}"#),
                "the key \"target\" appears twice",
            ),
        ] {
            let e = Scenario::from_json(&text).unwrap_err().to_string();
            assert!(e.contains(needle), "{text}: {e}");
            assert!(!e.contains("struct"), "serde internals leak: {e}");
        }
    }
}

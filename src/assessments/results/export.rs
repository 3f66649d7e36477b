//! Results as files: one table (a header row, then a row per subject), written as CSV or as an
//! XLSX workbook with a sheet for local and one for non-local enterprises.

use super::grading::{Category, Grade, Input};
use super::view::ResultRow;
use crate::platform::csv::Csv;
use crate::platform::xlsx::{Cell, Sheet};

fn header(category: Category) -> Vec<&'static str> {
    let mut columns = if category == Category::Project {
        vec!["项目名称", "施工许可证编号", "施工企业"]
    } else {
        vec!["企业名称", "统一社会信用代码"]
    };
    columns.extend(["行政区", "本地/外地"]);
    for input in category.inputs() {
        columns.push(match input {
            Input::GeneralConditions => "一般安全生产条件得分(%)",
            Input::SafetyDirector => "安全总监考核得分(%)",
            Input::Project => "项目考核得分(%)",
            Input::Daily => "日常考核加减分",
        });
    }
    columns.extend(["计算得分", "计算等次", "动态调整", "最终等次"]);
    columns
}

/// A percentage or score to one decimal place.
fn tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn grade(grade: Option<Grade>, row: &ResultRow) -> String {
    match grade {
        Some(g) => g.zh().into(),
        None => {
            let missing: Vec<&str> = row.missing.iter().map(|i| i.as_str()).collect();
            format!("材料不全（缺 {}）", missing.join("、"))
        }
    }
}

fn cells(category: Category, row: &ResultRow) -> Vec<Cell> {
    let s = &row.subject;
    let text = |t: &str| Cell::Text(t.to_owned());
    let number = |n: Option<f64>| n.map_or(Cell::Empty, |v| Cell::Number(tenth(v)));
    let mut cells = vec![text(&s.subject_name), text(&s.subject_code)];
    if category == Category::Project {
        cells.push(text(&s.enterprise_name));
    }
    cells.push(text(&s.district_code));
    cells.push(text(if s.locality == "non_local" { "外地" } else { "本地" }));
    for input in category.inputs() {
        cells.push(match input {
            Input::GeneralConditions => number(row.inputs.general_conditions),
            Input::SafetyDirector => number(row.inputs.safety_director),
            Input::Project => number(row.inputs.project),
            Input::Daily => number(Some(row.inputs.daily)),
        });
    }
    let adjustments: Vec<String> = row
        .adjustments
        .iter()
        .map(|a| {
            format!(
                "{}→{}：{}（{}）",
                zh(&a.from_grade),
                zh(&a.to_grade),
                a.reason,
                a.opinion
            )
        })
        .collect();
    cells.extend([
        number(row.score),
        text(&grade(row.computed_grade, row)),
        text(&adjustments.join("；")),
        text(&grade(row.final_grade, row)),
    ]);
    cells
}

fn zh(grade: &str) -> &'static str {
    Grade::parse(grade).map_or("", Grade::zh)
}

fn table(category: Category, rows: &[&ResultRow]) -> Vec<Vec<Cell>> {
    let head = header(category).into_iter().map(|h| Cell::Text(h.into())).collect();
    std::iter::once(head)
        .chain(rows.iter().map(|r| cells(category, r)))
        .collect()
}

/// CSV from the product's one writer (UTF-8 with a BOM, formula-like text neutralised).
pub fn csv(category: Category, rows: &[ResultRow]) -> Vec<u8> {
    let all: Vec<&ResultRow> = rows.iter().collect();
    Csv::of_table(&table(category, &all)).into_bytes()
}

/// A sheet of local and one of non-local subjects (seed 001 lists them apart).
pub fn sheets(category: Category, rows: &[ResultRow]) -> Vec<Sheet> {
    let (local, non_local): (Vec<&ResultRow>, Vec<&ResultRow>) =
        rows.iter().partition(|r| r.subject.locality != "non_local");
    vec![
        Sheet {
            name: "本地企业".into(),
            rows: table(category, &local),
        },
        Sheet {
            name: "外地企业".into(),
            rows: table(category, &non_local),
        },
    ]
}

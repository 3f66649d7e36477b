//! One row of a historical certificate import, read and checked (pure): every field with its
//! refusal, so the report names each problem of the row.

use super::kinds::{self, Kind, Origin};
use crate::platform::error::{ApiResult, Invalid};
use crate::platform::imports::Table;
use crate::platform::types::{CreditCode, Date, IdNumber, Text};

/// The columns an import needs; `category` (special operations) and `origin` are optional.
pub const COLUMNS: [&str; 8] = [
    "kind",
    "number",
    "id_number",
    "name",
    "enterprise_credit_code",
    "enterprise_name",
    "issued_on",
    "expires_on",
];

/// A checked row.
#[derive(Debug, Clone)]
pub struct Row {
    pub kind: Kind,
    /// The category code; "" for safety-management certificates.
    pub category: &'static str,
    pub number: String,
    pub id_number: IdNumber,
    pub name: String,
    pub enterprise_credit_code: String,
    pub enterprise_name: String,
    pub issued_on: Date,
    pub expires_on: Date,
    pub origin: Origin,
}

/// Reads one row, refusing each field that is wrong.
pub fn read(table: &Table, fields: &[String]) -> ApiResult<Row> {
    let cell = |name: &str| table.cell(fields, name);
    let mut invalid = Invalid::default();
    let kind = Kind::parse(&cell("kind"));
    if kind.is_none() {
        invalid.field(
            "kind",
            "certificate.kind_unknown",
            "证书类别须为 A、B、C（安管人员）或 特种作业",
            "The kind is A, B, C (safety management) or 特种作业 (special operations)",
        );
    }
    let category = match (kind, cell("category").as_str()) {
        (Some(Kind::Special), raw) => kinds::parse_category(raw),
        (Some(_), "") | (None, _) => Some(""),
        (Some(_), _) => None,
    };
    if category.is_none() {
        invalid.field(
            "category",
            "certificate.category_invalid",
            "特种作业证书须填写操作类别（建筑电工、建筑架子工等规定类别之一）；安管人员证书不填",
            "A special-operations certificate names its operation category from the fixed list; a safety-management one names none",
        );
    }
    let number = Text::<50>::parse(&cell("number"));
    if number.is_err() {
        invalid.field(
            "number",
            "certificate.number_invalid",
            "请填写证书编号（最多 50 个字符）",
            "Enter the certificate number (at most 50 characters)",
        );
    }
    let id_number = IdNumber::parse(&cell("id_number"));
    if let Err(e) = &id_number {
        invalid.push("id_number", e.code, e.message.clone());
    }
    let name = Text::<50>::parse(&cell("name"));
    if name.is_err() {
        invalid.field(
            "name",
            "certificate.holder_name_invalid",
            "请填写持证人姓名（最多 50 个字符）",
            "Enter the holder's name (at most 50 characters)",
        );
    }
    let credit_code = CreditCode::parse(&cell("enterprise_credit_code"));
    if let Err(e) = &credit_code {
        invalid.push("enterprise_credit_code", e.code, e.message.clone());
    }
    let enterprise_name = Text::<200>::parse(&cell("enterprise_name"));
    if enterprise_name.is_err() {
        invalid.field(
            "enterprise_name",
            "certificate.enterprise_name_invalid",
            "请填写发证时的企业名称（最多 200 个字符）",
            "Enter the enterprise's name at issue (at most 200 characters)",
        );
    }
    let mut date = |field: &str| {
        let parsed = Date::parse(&cell(field));
        if let Err(e) = &parsed {
            invalid.push(field, e.code, e.message.clone());
        }
        parsed.ok()
    };
    let (issued_on, expires_on) = (date("issued_on"), date("expires_on"));
    if let (Some(issued), Some(expires)) = (issued_on, expires_on) {
        if expires <= issued {
            invalid.field(
                "expires_on",
                "certificate.validity_invalid",
                "有效期截止日期须晚于发证日期",
                "The expiry date must be after the issue date",
            );
        }
    }
    let origin = Origin::parse(&cell("origin"));
    if origin.is_none() {
        invalid.field(
            "origin",
            "certificate.origin_unknown",
            "来源须为空（历史数据）、新增归档、进赣换证或本省核发",
            "The origin is empty (historical), supplement, transfer_in or issued",
        );
    }
    invalid.finish()?;
    let missing = || crate::platform::error::ApiError::internal("checked above");
    Ok(Row {
        kind: kind.ok_or_else(missing)?,
        category: category.ok_or_else(missing)?,
        number: number.map_err(|_| missing())?.as_str().to_owned(),
        id_number: id_number.map_err(|_| missing())?,
        name: name.map_err(|_| missing())?.as_str().to_owned(),
        enterprise_credit_code: credit_code.map_err(|_| missing())?.as_str().to_owned(),
        enterprise_name: enterprise_name.map_err(|_| missing())?.as_str().to_owned(),
        issued_on: issued_on.ok_or_else(missing)?,
        expires_on: expires_on.ok_or_else(missing)?,
        origin: origin.ok_or_else(missing)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "kind,category,number,id_number,name,enterprise_credit_code,enterprise_name,issued_on,expires_on,origin";

    fn row(line: &str) -> ApiResult<Row> {
        let table = Table::parse(format!("{HEADER}\n{line}\n").as_bytes(), &COLUMNS).unwrap();
        read(&table, &table.rows[0].1)
    }

    fn codes(line: &str) -> Vec<(String, &'static str)> {
        row(line)
            .err()
            .unwrap()
            .fields
            .iter()
            .map(|f| (f.field.clone(), f.code))
            .collect()
    }

    #[test]
    fn a_good_row_reads() {
        let r = row(
            "B,,赣建安B(2020)0001,11010519491231002X,张三,91350100M000100Y43,某建设有限公司,2020-03-01,2026-02-28,",
        )
        .unwrap();
        assert_eq!((r.kind, r.category, r.origin), (Kind::SafetyB, "", Origin::Imported));
        assert_eq!(r.number, "赣建安B(2020)0001");
        let r = row(
            "特种作业,建筑电工,T0001,11010519491231002X,张三,91350100M000100Y43,某公司,2020-03-01,2026-02-28,进赣换证",
        )
        .unwrap();
        assert_eq!(
            (r.kind, r.category, r.origin),
            (Kind::Special, "electrician", Origin::TransferIn)
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        assert_eq!(
            codes("D,建筑电工,,11010519491231002Y,,91350100M000100Y44,,2020-13-01,2026-02-30,别的"),
            vec![
                ("kind".into(), "certificate.kind_unknown"),
                ("number".into(), "certificate.number_invalid"),
                ("id_number".into(), "id_number.format"),
                ("name".into(), "certificate.holder_name_invalid"),
                ("enterprise_credit_code".into(), "credit_code.check_character"),
                ("enterprise_name".into(), "certificate.enterprise_name_invalid"),
                ("issued_on".into(), "date.format"),
                ("expires_on".into(), "date.format"),
                ("origin".into(), "certificate.origin_unknown"),
            ]
        );
        assert_eq!(
            codes("A,建筑电工,X1,11010519491231002X,张三,91350100M000100Y43,某公司,2020-03-01,2020-03-01,"),
            vec![
                ("category".into(), "certificate.category_invalid"),
                ("expires_on".into(), "certificate.validity_invalid"),
            ]
        );
        assert_eq!(
            codes("special,,X1,11010519491231002X,张三,91350100M000100Y43,某公司,2020-03-01,2021-03-01,"),
            vec![("category".into(), "certificate.category_invalid")]
        );
    }
}

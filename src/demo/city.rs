//! The demo city: Jinan's districts 历下, 市中 and 槐荫, their enterprises with registered
//! addresses and sites, and the people. Credit codes and ID numbers carry check characters
//! computed by the standards' weights and are parsed by the API's own types before use.

use crate::platform::types::{CreditCode, IdNumber};

/// GB 11643's check character of the first 17 digits: weights 2^(17-i) mod 11.
fn id_check(digits: &str) -> char {
    let sum: u64 = digits
        .bytes()
        .enumerate()
        .map(|(i, b)| u64::from(b - b'0') * ((1u64 << (17 - i)) % 11))
        .sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

/// GB 32100's check character of the first 17 characters: weights 3^i mod 31.
fn credit_check(prefix: &[u8]) -> u8 {
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let sum: u64 = prefix
        .iter()
        .enumerate()
        .map(|(i, c)| CHARSET.iter().position(|x| x == c).unwrap_or(0) as u64 * (3u64.pow(i as u32) % 31))
        .sum();
    CHARSET[((31 - sum % 31) % 31) as usize]
}

pub const LIXIA: &str = "370102";
pub const SHIZHONG: &str = "370103";
pub const HUAIYIN: &str = "370104";

/// The demo's one password for every staff account: documented, since the database is a demo.
pub const STAFF_PASSWORD: &str = "demo-2026";

pub struct StaffSeed {
    pub username: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub district: Option<&'static str>,
}

/// The staff accounts, the sysadmin first (it creates the others).
pub const STAFF: [StaffSeed; 5] = [
    StaffSeed {
        username: "admin",
        name: "系统管理员",
        role: "sysadmin",
        district: None,
    },
    StaffSeed {
        username: "city",
        name: "市住建局 周明",
        role: "city",
        district: None,
    },
    StaffSeed {
        username: "lixia",
        name: "历下区住建局 孙丽",
        role: "district",
        district: Some(LIXIA),
    },
    StaffSeed {
        username: "shizhong",
        name: "市中区住建局 刘洋",
        role: "district",
        district: Some(SHIZHONG),
    },
    StaffSeed {
        username: "supervisor",
        name: "安全监督站 陈刚",
        role: "supervisor",
        district: None,
    },
];

pub struct EnterpriseSeed {
    pub name: &'static str,
    pub district: &'static str,
    pub address: &'static str,
    /// WGS-84 latitude and longitude of the site.
    pub site: (f64, f64),
    pub contact: &'static str,
}

/// Twelve enterprises: six in 历下, four in 市中, two in 槐荫.
pub const ENTERPRISES: [EnterpriseSeed; 12] = [
    e(
        "济南泉城建设工程有限公司",
        LIXIA,
        "历下区经十路 11111 号",
        (36.6601, 117.0905),
        "王建国",
    ),
    e(
        "山东鲁安建筑集团有限公司",
        LIXIA,
        "历下区解放路 166 号",
        (36.6664, 117.0421),
        "张立新",
    ),
    e(
        "济南明湖市政工程有限公司",
        LIXIA,
        "历下区明湖东路 9 号",
        (36.6772, 117.0290),
        "李红",
    ),
    e(
        "山东千佛山建设集团有限公司",
        LIXIA,
        "历下区千佛山路 35 号",
        (36.6431, 117.0287),
        "赵志强",
    ),
    e(
        "济南华岳装饰工程有限公司",
        LIXIA,
        "历下区山大路 201 号",
        (36.6711, 117.0583),
        "钱芳",
    ),
    e(
        "济南历下城建工程有限公司",
        LIXIA,
        "历下区文化东路 56 号",
        (36.6553, 117.0468),
        "孙海涛",
    ),
    e(
        "山东齐鲁路桥建设有限公司",
        SHIZHONG,
        "市中区经七路 88 号",
        (36.6582, 116.9952),
        "周斌",
    ),
    e(
        "济南趵突泉建安有限公司",
        SHIZHONG,
        "市中区泺源大街 2 号",
        (36.6612, 117.0113),
        "吴静",
    ),
    e(
        "山东泰山机电安装有限公司",
        SHIZHONG,
        "市中区英雄山路 129 号",
        (36.6280, 117.0050),
        "郑凯",
    ),
    e(
        "济南黄河钢结构工程有限公司",
        SHIZHONG,
        "市中区二环南路 6636 号",
        (36.6105, 116.9890),
        "冯雪",
    ),
    e(
        "济南槐荫建工有限公司",
        HUAIYIN,
        "槐荫区经十路 22799 号",
        (36.6510, 116.9401),
        "陈亮",
    ),
    e(
        "山东玉符河水利工程有限公司",
        HUAIYIN,
        "槐荫区张庄路 318 号",
        (36.6702, 116.9606),
        "褚敏",
    ),
];

const fn e(
    name: &'static str,
    district: &'static str,
    address: &'static str,
    site: (f64, f64),
    contact: &'static str,
) -> EnterpriseSeed {
    EnterpriseSeed {
        name,
        district,
        address,
        site,
        contact,
    }
}

/// The `n`th enterprise's credit code: 9 (工商) 1 (企业), its district, an organisation code.
pub fn credit_code(n: usize, district: &str) -> anyhow::Result<String> {
    let prefix = format!("91{district}MA3C{:05}", 1201 + n * 37);
    let check = credit_check(prefix.as_bytes()) as char;
    let code = format!("{prefix}{check}");
    CreditCode::parse(&code).map_err(|e| anyhow::anyhow!("demo credit code {code}: {}", e.message.en))?;
    Ok(code)
}

/// The `n`th enterprise's contact phone.
pub fn contact_phone(n: usize) -> String {
    format!("139{:08}", 53_170_000 + n * 113)
}

pub struct PersonSeed {
    pub name: &'static str,
    /// The first 17 digits of the ID number.
    pub id_digits: &'static str,
    pub phone: &'static str,
    /// The login code the WeChat development stand-in maps to this person.
    pub wechat_code: &'static str,
}

pub const PEOPLE: [PersonSeed; 4] = [
    PersonSeed {
        name: "张伟",
        id_digits: "37010219850312123",
        phone: "13805310001",
        wechat_code: "demo-zhangwei",
    },
    PersonSeed {
        name: "李娜",
        id_digits: "37010319900726234",
        phone: "13805310002",
        wechat_code: "demo-lina",
    },
    PersonSeed {
        name: "王强",
        id_digits: "37010419781105345",
        phone: "13805310003",
        wechat_code: "demo-wangqiang",
    },
    PersonSeed {
        name: "赵敏",
        id_digits: "37010219930218456",
        phone: "13805310004",
        wechat_code: "demo-zhaomin",
    },
];

pub fn id_number(person: &PersonSeed) -> anyhow::Result<String> {
    let number = format!("{}{}", person.id_digits, id_check(person.id_digits));
    IdNumber::parse(&number).map_err(|e| anyhow::anyhow!("demo ID number {number}: {}", e.message.en))?;
    Ok(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_and_number_is_valid_and_distinct() {
        let codes: Vec<String> = ENTERPRISES
            .iter()
            .enumerate()
            .map(|(n, e)| credit_code(n, e.district).unwrap())
            .collect();
        let mut unique = codes.clone();
        unique.dedup();
        assert_eq!(unique.len(), ENTERPRISES.len());
        for person in &PEOPLE {
            id_number(person).unwrap();
        }
    }
}

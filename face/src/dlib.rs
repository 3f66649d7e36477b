//! Reading dlib's serialisation format (dlib/serialize.h): variable-length integers, floats as
//! mantissa/exponent pairs, strings, and the raw little-endian float32 tensors of `dlib::dnn`.

use crate::ModelError;

pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader { bytes, pos: 0, what }
    }

    pub fn error(&self, message: impl Into<String>) -> ModelError {
        ModelError::Format {
            model: self.what,
            offset: self.pos,
            message: message.into(),
        }
    }

    pub fn clone_position(&self) -> usize {
        self.pos
    }

    pub fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// The next integer, without consuming it.
    pub fn peek_int(&mut self) -> Result<i64, ModelError> {
        let mark = self.pos;
        let value = self.int();
        self.pos = mark;
        value
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub fn byte(&mut self) -> Result<u8, ModelError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or_else(|| self.error("unexpected end of file"))?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| self.error("unexpected end of file"))?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    /// A variable-length integer: a control byte (bit 7 the sign, bits 0–3 the byte count) and
    /// the magnitude's bytes, least significant first.
    pub fn int(&mut self) -> Result<i64, ModelError> {
        let control = self.byte()?;
        if control & 0x70 != 0 {
            return Err(self.error(format!("not an integer (control byte {control:#04x})")));
        }
        let n = usize::from(control & 0x0F);
        if n == 0 || n > 8 {
            return Err(self.error(format!("integer with {n} bytes")));
        }
        let magnitude = self
            .take(n)?
            .iter()
            .rev()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let value = magnitude as i64;
        Ok(if control & 0x80 != 0 { -value } else { value })
    }

    pub fn usize(&mut self) -> Result<usize, ModelError> {
        let v = self.int()?;
        usize::try_from(v).map_err(|_| self.error(format!("negative size {v}")))
    }

    /// A float or double: mantissa, then exponent, as integers.
    pub fn float(&mut self) -> Result<f64, ModelError> {
        let mantissa = self.int()?;
        let exponent = self.int()?;
        Ok(match exponent {
            32000 => f64::INFINITY,
            32001 => f64::NEG_INFINITY,
            32002 => f64::NAN,
            e => mantissa as f64 * 2f64.powi(e as i32),
        })
    }

    pub fn bool(&mut self) -> Result<bool, ModelError> {
        match self.byte()? {
            b'1' => Ok(true),
            b'0' => Ok(false),
            b => Err(self.error(format!("not a bool ({b:#04x})"))),
        }
    }

    pub fn string(&mut self) -> Result<String, ModelError> {
        let len = self.usize()?;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.error("string is not UTF-8"))
    }

    /// Reads a string and checks it is one of `expected`.
    pub fn tag(&mut self, expected: &[&str]) -> Result<String, ModelError> {
        let s = self.string()?;
        if expected.contains(&s.as_str()) {
            Ok(s)
        } else {
            Err(self.error(format!("found {s:?}, expected one of {expected:?}")))
        }
    }

    /// A dnn tensor (version 2): dimensions (n, k, nr, nc) and raw little-endian float32 values.
    pub fn tensor(&mut self) -> Result<(Vec<usize>, Vec<f32>), ModelError> {
        let version = self.int()?;
        if version != 2 {
            return Err(self.error(format!("tensor version {version}")));
        }
        let dims = [self.usize()?, self.usize()?, self.usize()?, self.usize()?];
        let count = dims
            .iter()
            .try_fold(1usize, |acc, d| acc.checked_mul(*d))
            .ok_or_else(|| self.error("tensor too large"))?;
        let raw = self.take(count.checked_mul(4).ok_or_else(|| self.error("tensor too large"))?)?;
        let values = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok((dims.to_vec(), values))
    }

    /// An alias_tensor: a shape without data.
    pub fn alias_tensor(&mut self) -> Result<[usize; 4], ModelError> {
        let version = self.int()?;
        if version != 1 {
            return Err(self.error(format!("alias_tensor version {version}")));
        }
        Ok([self.usize()?, self.usize()?, self.usize()?, self.usize()?])
    }

    /// A dlib matrix: negated row and column counts, then the elements row by row.
    pub fn matrix_f32(&mut self) -> Result<(usize, usize, Vec<f32>), ModelError> {
        let rows = self.int()?.unsigned_abs() as usize;
        let cols = self.int()?.unsigned_abs() as usize;
        let mut values = Vec::with_capacity(rows * cols);
        for _ in 0..rows * cols {
            values.push(self.float()? as f32);
        }
        Ok((rows, cols, values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_floats() {
        let bytes = [
            0x01, 0x00, 0x01, 0x01, 0x02, 0xE8, 0x03, 0x81, 0x01, 0x82, 0x1D, 0x0C, 0x01, 0x12, 0x81, 0x01,
        ];
        let mut r = Reader::new(&bytes, "test");
        assert_eq!(r.int().unwrap(), 0);
        assert_eq!(r.int().unwrap(), 1);
        assert_eq!(r.int().unwrap(), 1000);
        assert_eq!(r.int().unwrap(), -1);
        assert_eq!(r.int().unwrap(), -3101);
        assert_eq!(r.float().unwrap(), 9.0);
        assert!(r.at_end());
        assert!(r.int().is_err());
    }

    #[test]
    fn strings_and_tensors() {
        let mut bytes = vec![0x01, 0x05];
        bytes.extend_from_slice(b"relu_");
        bytes.extend_from_slice(&[0x01, 0x02, 0x01, 0x01, 0x01, 0x02, 0x01, 0x01, 0x01, 0x01]);
        bytes.extend_from_slice(&1.5f32.to_le_bytes());
        bytes.extend_from_slice(&(-2.0f32).to_le_bytes());
        let mut r = Reader::new(&bytes, "test");
        assert_eq!(r.tag(&["relu_"]).unwrap(), "relu_");
        let (dims, values) = r.tensor().unwrap();
        assert_eq!(dims, vec![1, 2, 1, 1]);
        assert_eq!(values, vec![1.5, -2.0]);
    }
}

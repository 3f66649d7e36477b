//! The face photo registry's pure rules: the perceptual hash, its distance, the multi-index
//! probes that find every stored hash within a radius, and which earlier photo a new one may
//! repeat.

use image::imageops::{resize, FilterType};
use image::RgbImage;

use super::Flow;

/// A 64-bit difference hash: the photo shrunk to 9×8 grey pixels, one bit per horizontal
/// neighbour pair (is the left one brighter?). Re-encoding, resizing or small edits change few
/// bits; a different photo changes about half.
pub fn difference_hash(photo: &RgbImage) -> u64 {
    let small = resize(photo, 9, 8, FilterType::Triangle);
    let grey = |x: u32, y: u32| {
        let p = small.get_pixel(x, y).0;
        u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114
    };
    let mut hash = 0u64;
    for y in 0..8 {
        for x in 0..8 {
            hash = (hash << 1) | u64::from(grey(x, y) > grey(x + 1, y));
        }
    }
    hash
}

/// The number of bits in which two hashes differ.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Bands the 64-bit hash is split into, each indexed on its own.
pub const BANDS: usize = 4;

/// The four 16-bit bands of a hash, lowest bits first.
pub fn bands(hash: u64) -> [u16; BANDS] {
    std::array::from_fn(|i| (hash >> (16 * i)) as u16)
}

/// The radius each band is probed with for a search radius `r`: ⌊r/4⌋. Pigeonhole: the bands
/// partition the bits, so when two hashes differ in at most `r` bits, one band differs in at
/// most ⌊r/4⌋ of its 16.
pub fn band_radius(radius: u32) -> u32 {
    radius / BANDS as u32
}

/// Every 16-bit value within `radius` bits of `value`, `value` itself first.
pub fn neighbours(value: u16, radius: u32) -> Vec<u16> {
    let mut out = vec![value];
    // Flip every combination of up to `radius` distinct bit positions, in increasing order.
    fn flip(out: &mut Vec<u16>, value: u16, from: u32, left: u32) {
        if left == 0 {
            return;
        }
        for bit in from..16 {
            let flipped = value ^ (1 << bit);
            out.push(flipped);
            flip(out, flipped, bit + 1, left - 1);
        }
    }
    flip(&mut out, value, 0, radius.min(16));
    out
}

/// The values to look up in each band's index to find every hash within `radius` of `hash`.
pub fn probes(hash: u64, radius: u32) -> [Vec<u16>; BANDS] {
    let r = band_radius(radius);
    bands(hash).map(|band| neighbours(band, r))
}

/// The largest search radius allowed (the setting is checked against it at start-up).
pub const MAX_RADIUS: u32 = crate::platform::config::MAX_PHOTO_HASH_DISTANCE;

/// An earlier photo found near a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct Earlier {
    pub hash: u64,
    pub flow: Flow,
    pub person_id: String,
}

/// The earlier photo a new one repeats, if any: one within `radius` bits of its hash.
///
/// Rule: a selfie must be new, repeating no earlier photo of anyone from any flow. An ID
/// portrait is the picture printed on the person's ID card, which the same person may
/// legitimately send again (a portrait replacement with a new scan of the same card): it may
/// repeat that person's own earlier ID portraits, and nothing else.
pub fn repeated<'a>(
    hash: u64,
    flow: Flow,
    person_id: &str,
    radius: u32,
    earlier: &'a [Earlier],
) -> Option<&'a Earlier> {
    earlier.iter().find(|e| {
        let own_portrait_again = flow == Flow::IdPortrait && e.flow == Flow::IdPortrait && e.person_id == person_id;
        hamming(e.hash, hash) <= radius && !own_portrait_again
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};

    fn scene(seed: u32) -> RgbImage {
        RgbImage::from_fn(200, 150, |x, y| {
            let v = ((x * 7 + y * 13 + seed * 31) % 255) as u8;
            Rgb([v, ((x * y + seed) % 255) as u8, (255 - v) / 2])
        })
    }

    #[test]
    fn near_copies_hash_alike_and_other_photos_do_not() {
        let a = scene(1);
        let resized = resize(&a, 180, 135, FilterType::Triangle);
        let mut edited = a.clone();
        for x in 0..10 {
            edited.put_pixel(x, 0, Rgb([0, 0, 0]));
        }
        let ha = difference_hash(&a);
        assert!(hamming(ha, difference_hash(&resized)) <= 6);
        assert!(hamming(ha, difference_hash(&edited)) <= 6);
        assert!(hamming(ha, difference_hash(&scene(40))) > 6);
    }

    #[test]
    fn bands_partition_the_hash() {
        let hash = 0x0123_4567_89ab_cdef;
        assert_eq!(bands(hash), [0xcdef, 0x89ab, 0x4567, 0x0123]);
        let rebuilt = bands(hash)
            .iter()
            .enumerate()
            .fold(0u64, |h, (i, b)| h | u64::from(*b) << (16 * i));
        assert_eq!(rebuilt, hash);
    }

    #[test]
    fn neighbours_are_exactly_the_values_within_the_radius() {
        for radius in 0..=3 {
            let value = 0b1010_0110_0001_1100;
            let mut found = neighbours(value, radius);
            let expected: Vec<u16> = (0..=u16::MAX).filter(|v| (v ^ value).count_ones() <= radius).collect();
            assert_eq!(found.len(), expected.len(), "no value twice, radius {radius}");
            found.sort_unstable();
            assert_eq!(found, expected, "radius {radius}");
        }
    }

    /// Whether a stored hash would be found: some band of it is among that band's probes.
    fn found(stored: u64, query: u64, radius: u32) -> bool {
        let probes = probes(query, radius);
        bands(stored).iter().zip(&probes).any(|(band, p)| p.contains(band))
    }

    #[test]
    fn every_hash_within_the_radius_is_found_exhaustively_for_small_distances() {
        // Every stored hash at distance up to 3 from the query, over all positions: with
        // radius 3 each band is probed exactly (⌊3/4⌋ = 0), so one band must match whole.
        let query = 0xdead_beef_0bad_f00d_u64;
        for radius in [0, 1, 2, 3] {
            for i in 0..64 {
                for j in i..64 {
                    for k in j..64 {
                        let stored = query ^ (1 << i) ^ (1 << j) ^ (1 << k);
                        if hamming(stored, query) <= radius {
                            assert!(found(stored, query, radius), "{stored:x} at radius {radius}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_spread_of_the_differing_bits_over_the_bands_is_found() {
        // Whether a hash is found depends only on how many of its differing bits fall in each
        // band: every split (d0, d1, d2, d3) with d0 + d1 + d2 + d3 ≤ r, for every radius.
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for radius in 0..=MAX_RADIUS {
            let r = radius as usize;
            for d0 in 0..=r {
                for d1 in 0..=r - d0 {
                    for d2 in 0..=r - d0 - d1 {
                        for d3 in 0..=r - d0 - d1 - d2 {
                            let query: u64 = rng.gen();
                            let mut stored = query;
                            for (band, d) in [d0, d1, d2, d3].into_iter().enumerate() {
                                let mut bits: Vec<usize> = (0..16).collect();
                                bits.shuffle(&mut rng);
                                for bit in &bits[..d] {
                                    stored ^= 1 << (16 * band + bit);
                                }
                            }
                            assert!(found(stored, query, radius), "{d0}+{d1}+{d2}+{d3} at radius {radius}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_hash_within_the_radius_is_found_at_random() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for radius in 0..=MAX_RADIUS {
            for _ in 0..400 {
                let query: u64 = rng.gen();
                let distance = rng.gen_range(0..=radius);
                let mut stored = query;
                while hamming(stored, query) < distance {
                    stored ^= 1 << rng.gen_range(0..64);
                }
                assert!(found(stored, query, radius), "distance {distance}, radius {radius}");
            }
        }
    }

    #[test]
    fn the_worst_case_spread_over_every_band_is_found() {
        // r = 7: ⌊7/4⌋ = 1; spread 2+2+2+1 still leaves one band within 1.
        let query = 0u64;
        let stored = 0b11 | 0b11 << 16 | 0b11 << 32 | 0b1 << 48;
        assert_eq!(hamming(stored, query), 7);
        assert!(found(stored, query, 7));
        // r = 8 spread 2+2+2+2 is beyond ⌊7/4⌋ everywhere: radius 7 must not promise it…
        let eight = stored | 0b10 << 48;
        assert!(!found(eight, query, 7));
        // …and radius 8 finds it (⌊8/4⌋ = 2).
        assert!(found(eight, query, 8));
    }

    #[test]
    fn probe_lists_stay_small() {
        assert_eq!(probes(0, 6).iter().map(Vec::len).sum::<usize>(), 4 * 17);
        assert_eq!(probes(0, MAX_RADIUS).iter().map(Vec::len).sum::<usize>(), 4 * 697);
    }

    #[test]
    fn a_selfie_repeats_anything_a_portrait_only_what_is_not_its_own_portrait() {
        let earlier = |flow, person: &str| Earlier {
            hash: 0xff,
            flow,
            person_id: person.into(),
        };
        let own = [earlier(Flow::IdPortrait, "p")];
        assert!(repeated(0xff, Flow::IdPortrait, "p", 6, &own).is_none());
        assert!(repeated(0xfe, Flow::RegistrationSelfie, "p", 6, &own).is_some());
        assert!(repeated(0xff, Flow::IdPortrait, "q", 6, &own).is_some());
        let selfie = [earlier(Flow::CheckInSelfie, "p")];
        assert!(repeated(0xff, Flow::IdPortrait, "p", 6, &selfie).is_some());
        assert!(repeated(0xff, Flow::AcceptanceSelfie, "q", 6, &selfie).is_some());
        // Beyond the radius, nothing is repeated.
        assert!(repeated(0xff ^ 0x7f00, Flow::CheckInSelfie, "q", 6, &selfie).is_none());
    }
}

//! Hot loops compiled twice: for the baseline x86-64 (SSE2) and for AVX2, chosen at run time,
//! so one binary runs on any machine and uses 8-wide vectors where the CPU has them. The loops
//! are written as plain element-wise arithmetic in dlib's order; the compiler only widens them,
//! and no multiply-add is fused (AVX2 does not enable FMA), so results are identical on both.

/// Defines `fn name(args) -> ret { body }` that runs `body` compiled for AVX2 when the CPU has
/// it and for the baseline otherwise.
macro_rules! with_avx2 {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn portable($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                    portable($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU was just found to support AVX2.
                    return unsafe { avx2($($arg),*) };
                }
            }
            portable($($arg),*)
        }
    };
}

pub(crate) use with_avx2;

//! The face descriptor network (`dlib_face_recognition_resnet_model_v1.dat`): a 29-layer
//! ResNet from a 150×150 face chip to a 128-d descriptor, wired as dlib's
//! `examples/dnn_face_recognition_ex.cpp` defines it.

use crate::net::{Layer, Loss, NetFile};
use crate::tensor::{add_padded, pool, relu, Conv, Fc, Pool, Tensor};
use crate::ModelError;

pub const CHIP_SIZE: usize = 150;
pub type Descriptor = [f32; 128];

/// A residual block: two 3×3 convolutions (batch norm folded in), added to its input, or to
/// its input average-pooled 2×2 when the block halves the resolution.
struct Block {
    first: Conv,
    second: Conv,
    down: Option<Pool>,
}

pub struct ResNet {
    mean: [f32; 3],
    stem: Conv,
    stem_pool: Pool,
    blocks: Vec<Block>,
    fc: Fc,
}

impl ResNet {
    pub fn parse(bytes: &[u8]) -> Result<ResNet, ModelError> {
        let file = NetFile::parse(bytes, "dlib_face_recognition_resnet_model_v1.dat")?;
        if !matches!(file.loss, Loss::Metric) {
            return Err(ModelError::Structure("the descriptor network must end in loss_metric"));
        }
        let mut layers = file.layers.into_iter().peekable();
        let structure = ModelError::Structure("unexpected layer order in the descriptor network");
        let conv = |layers: &mut std::iter::Peekable<std::vec::IntoIter<Layer>>| match layers.next() {
            Some(Layer::Conv(c)) => Ok(c),
            _ => Err(ModelError::Structure(
                "expected a convolution in the descriptor network",
            )),
        };
        let stem = conv(&mut layers)?;
        let stem_pool = match (layers.next(), layers.next()) {
            (Some(Layer::Relu), Some(Layer::MaxPool(p))) => p,
            _ => return Err(structure),
        };
        let mut blocks = Vec::new();
        while let Some(Layer::Conv(_)) = layers.peek() {
            let first = conv(&mut layers)?;
            if !matches!(layers.next(), Some(Layer::Relu)) {
                return Err(ModelError::Structure("expected relu inside a residual block"));
            }
            let second = conv(&mut layers)?;
            let down = match layers.next() {
                Some(Layer::AvgPool(p)) => {
                    if !matches!(layers.next(), Some(Layer::AddPrev)) {
                        return Err(ModelError::Structure("expected add_prev after a downsampling block"));
                    }
                    Some(p)
                }
                Some(Layer::AddPrev) => None,
                _ => return Err(ModelError::Structure("expected add_prev closing a residual block")),
            };
            if !matches!(layers.next(), Some(Layer::Relu)) {
                return Err(ModelError::Structure("expected relu after a residual block"));
            }
            blocks.push(Block { first, second, down });
        }
        let fc = match (layers.next(), layers.next(), layers.next()) {
            (Some(Layer::AvgPool(p)), Some(Layer::Fc(fc)), None) if p.nr == 0 && fc.outputs == 128 => fc,
            _ => {
                return Err(ModelError::Structure(
                    "expected global average pooling and a 128-output layer at the top",
                ))
            }
        };
        if blocks.len() != 14 {
            return Err(ModelError::Structure(
                "the descriptor network must have 14 residual blocks",
            ));
        }
        Ok(ResNet {
            mean: file.input.mean,
            stem,
            stem_pool,
            blocks,
            fc,
        })
    }

    /// The descriptor of a 150×150 RGB face chip (row-major, 3 bytes a pixel).
    pub fn descriptor(&self, chip: &[u8]) -> Descriptor {
        assert_eq!(chip.len(), CHIP_SIZE * CHIP_SIZE * 3, "a face chip is 150×150 RGB");
        let mut x = Tensor::zeros(3, CHIP_SIZE, CHIP_SIZE);
        let plane = CHIP_SIZE * CHIP_SIZE;
        for (i, pixel) in chip.chunks_exact(3).enumerate() {
            for (c, (value, mean)) in pixel.iter().zip(self.mean).enumerate() {
                x.data[c * plane + i] = (f32::from(*value) - mean) / 256.0;
            }
        }
        let mut x = self.stem.forward(&x);
        relu(&mut x);
        let mut x = pool(&x, &self.stem_pool, true);
        for block in &self.blocks {
            let mut y = block.first.forward(&x);
            relu(&mut y);
            let y = block.second.forward(&y);
            let shortcut = match &block.down {
                Some(p) => pool(&x, p, false),
                None => x,
            };
            x = add_padded(&shortcut, &y);
            relu(&mut x);
        }
        let features: Vec<f32> = (0..x.k)
            .map(|k| x.data[k * x.h * x.w..(k + 1) * x.h * x.w].iter().sum::<f32>() / (x.h * x.w) as f32)
            .collect();
        let out = self.fc.forward(&features);
        let mut descriptor = [0.0; 128];
        descriptor.copy_from_slice(&out);
        descriptor
    }
}

/// Euclidean distance between two descriptors; dlib's models decide "same person" below 0.6.
pub fn distance(a: &Descriptor, b: &Descriptor) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f32>().sqrt()
}

//! A `dlib::dnn` network file, read as its loss, input layer, and the flat list of its layers
//! from the input upward. The file does not record how layers are wired (tags, skips); the
//! networks in `resnet.rs` and `mmod.rs` wire the list as their known definitions say.

use crate::dlib::Reader;
use crate::tensor::{Conv, Fc, Pool};
use crate::ModelError;

#[derive(Debug, Clone)]
pub enum Layer {
    Conv(Conv),
    Affine { gamma: Vec<f32>, beta: Vec<f32> },
    Relu,
    MaxPool(Pool),
    AvgPool(Pool),
    AddPrev,
    Fc(Fc),
}

#[derive(Debug, Clone)]
pub struct MmodWindow {
    pub width: usize,
    pub height: usize,
}

#[derive(Debug, Clone)]
pub struct MmodOptions {
    pub windows: Vec<MmodWindow>,
    /// Non-maximum suppression: intersection over union, and the share of a box covered.
    pub nms_iou: f64,
    pub nms_covered: f64,
}

#[derive(Debug, Clone)]
pub enum Loss {
    Metric,
    Mmod(MmodOptions),
}

#[derive(Debug, Clone)]
pub struct Input {
    pub mean: [f32; 3],
    pub pyramid_padding: usize,
    pub pyramid_outer_padding: usize,
}

pub struct NetFile {
    pub loss: Loss,
    pub input: Input,
    pub layers: Vec<Layer>,
}

const INPUTS: &[&str] = &[
    "input_rgb_image",
    "input_rgb_image_sized",
    "input_rgb_image_pyramid",
    "input_rgb_image_pyramid2",
];

impl NetFile {
    pub fn parse(bytes: &[u8], what: &'static str) -> Result<NetFile, ModelError> {
        let mut r = Reader::new(bytes, what);
        if r.int()? != 1 {
            return Err(r.error("unknown loss layer version"));
        }
        let loss = read_loss(&mut r)?;
        // One version number per wrapper, from the output down, then the input layer's name.
        let mut wrappers = 0;
        loop {
            let mark = r.clone_position();
            if r.int()? > 3 {
                r.seek(mark);
                break;
            }
            wrappers += 1;
        }
        if wrappers == 0 {
            return Err(r.error("no layers"));
        }
        let input = read_input(&mut r)?;
        let mut layers = Vec::new();
        let mut bottom = true;
        while !r.at_end() {
            layers.push(read_layer(&mut r)?);
            read_trailer(&mut r, bottom)?;
            bottom = false;
        }
        Ok(NetFile {
            loss,
            input,
            layers: fold_affines(layers),
        })
    }
}

fn read_loss(r: &mut Reader) -> Result<Loss, ModelError> {
    match r.tag(&["loss_metric_", "loss_metric_2", "loss_mmod_"])?.as_str() {
        "loss_metric_" => Ok(Loss::Metric),
        "loss_metric_2" => {
            r.float()?;
            r.float()?;
            Ok(Loss::Metric)
        }
        _ => read_mmod_options(r).map(Loss::Mmod),
    }
}

fn read_mmod_options(r: &mut Reader) -> Result<MmodOptions, ModelError> {
    let version = r.int()?;
    if !(1..=4).contains(&version) {
        return Err(r.error(format!("mmod_options version {version}")));
    }
    let mut windows = Vec::new();
    if version == 1 {
        windows.push(MmodWindow {
            width: r.usize()?,
            height: r.usize()?,
        });
    } else {
        for _ in 0..r.usize()? {
            let window_version = r.int()?;
            let width = r.usize()?;
            let height = r.usize()?;
            if window_version == 2 {
                r.string()?;
            }
            windows.push(MmodWindow { width, height });
        }
    }
    r.float()?; // loss per false alarm
    r.float()?; // loss per missed target
    r.float()?; // truth match IoU threshold
    let nms_iou = r.float()?;
    let nms_covered = r.float()?;
    r.float()?; // overlaps_ignore
    r.float()?;
    if version >= 3 {
        r.byte()?; // assume_image_pyramid
    }
    if version >= 4 {
        r.bool()?;
        r.float()?;
    }
    Ok(MmodOptions {
        windows,
        nms_iou,
        nms_covered,
    })
}

fn read_input(r: &mut Reader) -> Result<Input, ModelError> {
    let name = r.tag(INPUTS)?;
    let mean = [r.float()? as f32, r.float()? as f32, r.float()? as f32];
    let (mut pyramid_padding, mut pyramid_outer_padding) = (10, 11);
    match name.as_str() {
        "input_rgb_image_sized" => {
            r.usize()?;
            r.usize()?;
        }
        "input_rgb_image_pyramid2" => {
            pyramid_padding = r.usize()?;
            pyramid_outer_padding = r.usize()?;
        }
        _ => {}
    }
    Ok(Input {
        mean,
        pyramid_padding,
        pyramid_outer_padding,
    })
}

fn read_layer(r: &mut Reader) -> Result<Layer, ModelError> {
    let name = r.tag(&[
        "con_4",
        "con_5",
        "relu_",
        "affine_",
        "affine_2",
        "bn_con2",
        "max_pool_2",
        "avg_pool_2",
        "add_prev_",
        "fc_2",
        "fc_3",
    ])?;
    Ok(match name.as_str() {
        "con_4" | "con_5" => {
            let (_, params) = r.tensor()?;
            let filters = r.usize()?;
            let nr = r.usize()?;
            let nc = r.usize()?;
            let (stride_y, stride_x) = (r.usize()?, r.usize()?);
            let (pad_y, pad_x) = (r.usize()?, r.usize()?);
            let shape = r.alias_tensor()?;
            r.alias_tensor()?;
            for _ in 0..4 {
                r.float()?;
            }
            let use_bias = if name == "con_5" { r.bool()? } else { true };
            let channels = shape[1];
            let count = filters * channels * nr * nc;
            let expected = count + if use_bias { filters } else { 0 };
            if params.len() != expected {
                return Err(r.error(format!(
                    "convolution has {} parameters, expected {expected}",
                    params.len()
                )));
            }
            let bias = if use_bias {
                params[count..].to_vec()
            } else {
                vec![0.0; filters]
            };
            Layer::Conv(Conv {
                filters,
                channels,
                nr,
                nc,
                stride_y,
                stride_x,
                pad_y,
                pad_x,
                weights: params[..count].to_vec(),
                bias,
                packed: Default::default(),
            })
        }
        "relu_" => Layer::Relu,
        "add_prev_" => Layer::AddPrev,
        "affine_" | "affine_2" => {
            let (_, params) = r.tensor()?;
            r.alias_tensor()?;
            r.alias_tensor()?;
            let mode = r.int()?;
            let disabled = if name == "affine_2" { r.bool()? } else { false };
            if mode != 0 {
                return Err(r.error("only per-channel affine layers are supported"));
            }
            let k = params.len() / 2;
            if disabled {
                Layer::Affine {
                    gamma: vec![1.0; k],
                    beta: vec![0.0; k],
                }
            } else {
                Layer::Affine {
                    gamma: params[..k].to_vec(),
                    beta: params[k..].to_vec(),
                }
            }
        }
        "bn_con2" => {
            let (_, params) = r.tensor()?;
            r.alias_tensor()?;
            r.alias_tensor()?;
            r.tensor()?;
            r.tensor()?;
            let (_, means) = r.tensor()?;
            let (_, variances) = r.tensor()?;
            r.int()?;
            r.int()?;
            for _ in 0..4 {
                r.float()?;
            }
            let eps = r.float()? as f32;
            let k = params.len() / 2;
            let gamma: Vec<f32> = (0..k).map(|i| params[i] / (variances[i] + eps).sqrt()).collect();
            let beta = (0..k).map(|i| params[k + i] - gamma[i] * means[i]).collect();
            Layer::Affine { gamma, beta }
        }
        "max_pool_2" | "avg_pool_2" => {
            let nr = r.usize()?;
            let nc = r.usize()?;
            let pool = Pool {
                nr,
                nc,
                stride_y: r.usize()?,
                stride_x: r.usize()?,
                pad_y: r.usize()?,
                pad_x: r.usize()?,
            };
            if name == "max_pool_2" {
                Layer::MaxPool(pool)
            } else {
                Layer::AvgPool(pool)
            }
        }
        _ => {
            let outputs = r.usize()?;
            let inputs = r.usize()?;
            let (_, params) = r.tensor()?;
            r.alias_tensor()?;
            r.alias_tensor()?;
            let bias_mode = r.int()?;
            for _ in 0..4 {
                r.float()?;
            }
            let use_bias = bias_mode == 0 && if name == "fc_3" { r.bool()? } else { true };
            let count = outputs * inputs;
            let bias = use_bias.then(|| params[count..count + outputs].to_vec());
            Layer::Fc(Fc {
                outputs,
                inputs,
                weights: params[..count].to_vec(),
                bias,
            })
        }
    })
}

/// What dlib writes after each layer's details: training state we read past.
fn read_trailer(r: &mut Reader, bottom: bool) -> Result<(), ModelError> {
    for _ in 0..3 {
        r.bool()?;
    }
    r.tensor()?; // x_grad
    r.tensor()?; // cached_output
    if bottom {
        r.tensor()?; // grad_final
                     // Version 3 adds the sample expansion factor (a small integer); a layer name is longer.
        if !r.at_end() && r.peek_int()? < 4 {
            r.int()?;
        }
    } else if !r.at_end() && r.peek_int()? == 2 {
        // Version 2 adds params_grad; no layer name is two bytes long.
        r.tensor()?;
    }
    Ok(())
}

/// Folds every affine layer into the convolution right before it, then packs each
/// convolution's weights for the matrix product.
fn fold_affines(layers: Vec<Layer>) -> Vec<Layer> {
    let mut out: Vec<Layer> = Vec::with_capacity(layers.len());
    for layer in layers {
        match (layer, out.last_mut()) {
            (Layer::Affine { gamma, beta }, Some(Layer::Conv(conv))) => conv.fold_affine(&gamma, &beta),
            (layer, _) => out.push(layer),
        }
    }
    for layer in &mut out {
        if let Layer::Conv(conv) = layer {
            conv.pack();
        }
    }
    out
}

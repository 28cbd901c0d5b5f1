//! The input and output matrices: dense (`densematrix.cc`) or product-quantised.

use super::quantized::QuantMatrix;

/// A weight matrix of `rows × dim` values.
pub(crate) enum Matrix {
    /// Row-major `f32` values.
    Dense {
        rows: usize,
        dim: usize,
        data: Vec<f32>,
    },
    /// Product-quantised rows.
    Quant(QuantMatrix),
}

impl Matrix {
    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        match self {
            Matrix::Dense { rows, .. } => *rows,
            Matrix::Quant(q) => q.rows,
        }
    }

    /// `averageRowsToVector`: `x` = the sum of the rows (added in order, in `f32`) times
    /// `float(1.0 / rows.len())`. Every row id must be below [`Matrix::rows`].
    pub(crate) fn average_rows(&self, x: &mut [f32], ids: &[i32]) {
        x.fill(0.0);
        match self {
            Matrix::Dense { dim, data, .. } => {
                for &id in ids {
                    let start = id as usize * dim;
                    for (xi, &v) in x.iter_mut().zip(&data[start..start + dim]) {
                        *xi += v;
                    }
                }
            }
            Matrix::Quant(q) => {
                for &id in ids {
                    q.add_row(x, id as usize);
                }
            }
        }
        let scale = (1.0f64 / ids.len() as f64) as f32;
        for xi in x.iter_mut() {
            *xi *= scale;
        }
    }

    /// `dotRow`: the dot product of `x` with row `row`, summed in order in `f32`.
    #[inline]
    pub(crate) fn dot_row(&self, x: &[f32], row: usize) -> f32 {
        match self {
            Matrix::Dense { dim, data, .. } => {
                let start = row * dim;
                let mut d = 0.0f32;
                for (&a, &b) in data[start..start + dim].iter().zip(x) {
                    d += a * b;
                }
                d
            }
            Matrix::Quant(q) => q.dot_row(x, row),
        }
    }
}

//! Product quantisation (`productquantizer.cc`, `quantmatrix.cc`): the input matrix of every
//! `.ftz` model, and the output matrix too when it was quantised with `qout`.

/// Centroids per sub-quantiser (8-bit codes).
const KSUB: usize = 256;

/// A product quantiser: `nsubq` sub-spaces of `dsub` dimensions (the last has `lastdsub`),
/// each with 256 centroids.
pub(crate) struct ProductQuantizer {
    pub dim: usize,
    pub nsubq: usize,
    pub dsub: usize,
    pub lastdsub: usize,
    pub centroids: Vec<f32>,
}

impl ProductQuantizer {
    /// Checks that the shape is consistent, so that every code indexes inside `centroids`.
    pub(crate) fn is_consistent(&self) -> bool {
        self.nsubq > 0
            && self.dsub > 0
            && self.lastdsub > 0
            && (self.nsubq - 1)
                .checked_mul(self.dsub)
                .and_then(|d| d.checked_add(self.lastdsub))
                == Some(self.dim)
            && self.centroids.len() == self.dim * KSUB
    }

    /// fastText's `get_centroids(m, i)`, with the sub-space's width.
    #[inline]
    fn centroid(&self, m: usize, code: u8) -> &[f32] {
        let i = code as usize;
        if m == self.nsubq - 1 {
            let start = m * KSUB * self.dsub + i * self.lastdsub;
            &self.centroids[start..start + self.lastdsub]
        } else {
            let start = (m * KSUB + i) * self.dsub;
            &self.centroids[start..start + self.dsub]
        }
    }
}

/// A quantised matrix: one code per sub-space and row, optionally with quantised row norms.
pub(crate) struct QuantMatrix {
    pub rows: usize,
    pub codes: Vec<u8>,
    pub pq: ProductQuantizer,
    /// Norm codes (one per row) and their one-dimensional quantiser, when `qnorm` was set.
    pub norms: Option<(Vec<u8>, ProductQuantizer)>,
}

impl QuantMatrix {
    #[inline]
    fn norm(&self, row: usize) -> f32 {
        match &self.norms {
            Some((codes, npq)) => npq.centroid(0, codes[row])[0],
            None => 1.0,
        }
    }

    #[inline]
    fn code(&self, row: usize) -> &[u8] {
        let n = self.pq.nsubq;
        &self.codes[n * row..n * row + n]
    }

    /// `addRowToVector(x, row)`: `x += norm * row` (`addcode`).
    pub(crate) fn add_row(&self, x: &mut [f32], row: usize) {
        let alpha = self.norm(row);
        let dsub = self.pq.dsub;
        for (m, &code) in self.code(row).iter().enumerate() {
            let c = self.pq.centroid(m, code);
            for (xi, &ci) in x[m * dsub..m * dsub + c.len()].iter_mut().zip(c) {
                *xi += alpha * ci;
            }
        }
    }

    /// `dotRow(x, row)` (`mulcode`): the dot product with the reconstructed row, times its norm.
    pub(crate) fn dot_row(&self, x: &[f32], row: usize) -> f32 {
        let alpha = self.norm(row);
        let dsub = self.pq.dsub;
        let mut res = 0.0f32;
        for (m, &code) in self.code(row).iter().enumerate() {
            let c = self.pq.centroid(m, code);
            for (&xi, &ci) in x[m * dsub..m * dsub + c.len()].iter().zip(c) {
                res += xi * ci;
            }
        }
        res * alpha
    }
}

//! Prediction of the four losses (`loss.cc`): softmax, hierarchical softmax, and the sigmoid
//! losses (negative sampling, one-vs-all), with fastText's tables, log-space scores and its
//! libstdc++ heap, so that ties come out in the same order.

use super::matrix::Matrix;

const SIGMOID_TABLE_SIZE: usize = 512;
const MAX_SIGMOID: f32 = 8.0;

/// A scored label: log-probability (`f32`) and label index.
pub(crate) type Scored = (f32, i32);

/// fastText's `std_log`: `log(x + 1e-5)` in double precision, returned as `f32`.
#[inline]
pub(crate) fn std_log(x: f32) -> f32 {
    (f64::from(x) + 1e-5).ln() as f32
}

/// How a loss turns the hidden vector into label scores.
pub(crate) enum Loss {
    /// Softmax over all labels.
    Softmax,
    /// Independent sigmoids per label (one-vs-all and negative sampling predict alike).
    Sigmoid(Box<[f32; SIGMOID_TABLE_SIZE + 1]>),
    /// Hierarchical softmax over the Huffman tree of label counts.
    Hierarchical(HuffmanTree),
}

impl Loss {
    /// The sigmoid loss with fastText's lookup table.
    pub(crate) fn sigmoid() -> Loss {
        let mut table = Box::new([0.0f32; SIGMOID_TABLE_SIZE + 1]);
        for (i, t) in table.iter_mut().enumerate() {
            let x = ((i * 2) as f32 * MAX_SIGMOID) / SIGMOID_TABLE_SIZE as f32 - MAX_SIGMOID;
            *t = (1.0 / (1.0 + f64::from((-x).exp()))) as f32;
        }
        Loss::Sigmoid(table)
    }
}

/// Looks `x` up in the sigmoid table as `Loss::sigmoid` does.
#[inline]
fn table_sigmoid(table: &[f32; SIGMOID_TABLE_SIZE + 1], x: f32) -> f32 {
    if x < -MAX_SIGMOID {
        0.0
    } else if x > MAX_SIGMOID {
        1.0
    } else {
        let i = ((x + MAX_SIGMOID) * SIGMOID_TABLE_SIZE as f32 / MAX_SIGMOID / 2.0) as usize;
        table[i.min(SIGMOID_TABLE_SIZE)]
    }
}

/// The Huffman tree of hierarchical softmax: `2n - 1` nodes, leaves `0..n` are the labels,
/// the root is `2n - 2`, internal node `i` uses output row `i - n`.
pub(crate) struct HuffmanTree {
    /// `(left, right)` children, `-1` for a leaf.
    children: Vec<(i32, i32)>,
    leaves: usize,
}

impl HuffmanTree {
    /// `buildTree` of `loss.cc` from the label counts (as sorted in the dictionary). Returns
    /// `None` if the counts make fastText's construction pick a node that is not built yet
    /// (only possible with absurd counts, from a corrupt file).
    pub(crate) fn new(counts: &[i64]) -> Option<HuffmanTree> {
        let n = counts.len();
        if n == 0 {
            return None;
        }
        let total = 2 * n - 1;
        let mut count = vec![1_000_000_000_000_000i64; total];
        count[..n].copy_from_slice(counts);
        let mut children = vec![(-1i32, -1i32); total];
        let mut leaf = n as i64 - 1;
        let mut node = n;
        for i in n..total {
            let mut mini = [0usize; 2];
            for m in &mut mini {
                if leaf >= 0 && count[leaf as usize] < count[node] {
                    *m = leaf as usize;
                    leaf -= 1;
                } else {
                    *m = node;
                    node += 1;
                }
                if *m >= i {
                    return None;
                }
            }
            children[i] = (mini[0] as i32, mini[1] as i32);
            count[i] = count[mini[0]].wrapping_add(count[mini[1]]);
        }
        Some(HuffmanTree {
            children,
            leaves: n,
        })
    }

    /// `HierarchicalSoftmaxLoss::dfs` with an explicit stack (same visiting order: a node's
    /// left subtree before its right one).
    fn dfs(
        &self,
        output: &Matrix,
        hidden: &[f32],
        k: usize,
        threshold: f32,
        heap: &mut Vec<Scored>,
        stack: &mut Vec<(usize, f32)>,
    ) {
        let log_threshold = std_log(threshold);
        stack.clear();
        stack.push((self.children.len() - 1, 0.0));
        while let Some((node, score)) = stack.pop() {
            if score < log_threshold {
                continue;
            }
            if heap.len() == k && score < heap[0].0 {
                continue;
            }
            let (left, right) = self.children[node];
            if left == -1 && right == -1 {
                heap_push(heap, (score, node as i32));
                if heap.len() > k {
                    heap_pop(heap);
                    heap.pop();
                }
                continue;
            }
            let f = output.dot_row(hidden, node - self.leaves);
            let f = (1.0 / f64::from(1.0 + (-f).exp())) as f32;
            stack.push((right as usize, score + std_log(f)));
            stack.push((left as usize, score + std_log((1.0 - f64::from(f)) as f32)));
        }
    }
}

/// Buffers reused across predictions.
#[derive(Default)]
pub(crate) struct LossBuffers {
    output: Vec<f32>,
    stack: Vec<(usize, f32)>,
}

/// `Loss::predict`: the best `k` labels with probability ≥ `threshold`, as (log-probability,
/// label) sorted as fastText's `sort_heap` leaves them (best first).
pub(crate) fn predict(
    loss: &Loss,
    output: &Matrix,
    hidden: &[f32],
    k: usize,
    threshold: f32,
    heap: &mut Vec<Scored>,
    buf: &mut LossBuffers,
) {
    heap.clear();
    if k == 0 {
        return;
    }
    let nlabels = output.rows();
    match loss {
        Loss::Softmax => {
            let out = &mut buf.output;
            out.clear();
            out.extend((0..nlabels).map(|i| output.dot_row(hidden, i)));
            let mut max = out[0];
            for &o in out.iter() {
                max = if o < max { max } else { o };
            }
            let mut z = 0.0f32;
            for o in out.iter_mut() {
                *o = f64::from(*o - max).exp() as f32;
                z += *o;
            }
            for o in out.iter_mut() {
                *o /= z;
            }
            find_k_best(out, k, threshold, heap);
        }
        Loss::Sigmoid(table) => {
            let out = &mut buf.output;
            out.clear();
            out.extend((0..nlabels).map(|i| table_sigmoid(table, output.dot_row(hidden, i))));
            find_k_best(out, k, threshold, heap);
        }
        Loss::Hierarchical(tree) => tree.dfs(output, hidden, k, threshold, heap, &mut buf.stack),
    }
    heap_sort(heap);
}

/// `Loss::findKBest`.
fn find_k_best(output: &[f32], k: usize, threshold: f32, heap: &mut Vec<Scored>) {
    for (i, &p) in output.iter().enumerate() {
        if p < threshold {
            continue;
        }
        let score = std_log(p);
        if heap.len() == k && score < heap[0].0 {
            continue;
        }
        heap_push(heap, (score, i as i32));
        if heap.len() > k {
            heap_pop(heap);
            heap.pop();
        }
    }
}

// libstdc++'s heap algorithms (bits/stl_heap.h) with fastText's `comparePairs`
// (`l.first > r.first`): a min-heap on the score, front = lowest kept score.

#[inline]
fn before(a: &Scored, b: &Scored) -> bool {
    a.0 > b.0
}

/// `std::__push_heap`.
fn sift_up(heap: &mut [Scored], mut hole: usize, top: usize, value: Scored) {
    while hole > top {
        let parent = (hole - 1) / 2;
        if !before(&heap[parent], &value) {
            break;
        }
        heap[hole] = heap[parent];
        hole = parent;
    }
    heap[hole] = value;
}

/// `std::push_heap` of the element just pushed at the back.
fn heap_push(heap: &mut Vec<Scored>, value: Scored) {
    heap.push(value);
    let last = heap.len() - 1;
    sift_up(heap, last, 0, value);
}

/// `std::__adjust_heap`.
fn adjust(heap: &mut [Scored], mut hole: usize, len: usize, value: Scored) {
    let top = hole;
    let mut child = hole;
    while len >= 1 && child < (len - 1) / 2 {
        child = 2 * (child + 1);
        if before(&heap[child], &heap[child - 1]) {
            child -= 1;
        }
        heap[hole] = heap[child];
        hole = child;
    }
    if len & 1 == 0 && len >= 2 && child == (len - 2) / 2 {
        child = 2 * (child + 1);
        heap[hole] = heap[child - 1];
        hole = child - 1;
    }
    sift_up(heap, hole, top, value);
}

/// `std::__pop_heap(first, last, result)` with `result = last`: moves the front to `last`.
fn pop_into(heap: &mut [Scored], last: usize) {
    let value = heap[last];
    heap[last] = heap[0];
    adjust(heap, 0, last, value);
}

/// `std::pop_heap`: moves the front to the back (the caller pops it).
fn heap_pop(heap: &mut [Scored]) {
    if heap.len() > 1 {
        pop_into(heap, heap.len() - 1);
    }
}

/// `std::sort_heap`: best score first.
fn heap_sort(heap: &mut [Scored]) {
    let mut last = heap.len();
    while last > 1 {
        last -= 1;
        pop_into(heap, last);
    }
}

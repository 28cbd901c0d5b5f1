//! A gradient-boosted tree ensemble over block features, in the text format that
//! `scripts/train_blocks.py` writes: the probability that a block is main content.
//!
//! ```text
//! thresh-blocks 1
//! features 50
//! bias -0.37
//! threshold 0.5
//! tree 3
//! 0 0.5 1 2 0
//! -1 0 0 0 -1.25
//! -1 0 0 0 0.8
//! ```
//! Each tree line gives its node count; each node is `feature threshold left right value`
//! (a leaf has feature −1 and its value, learning rate included). A sample goes left when its
//! feature is ≤ the threshold, as in scikit-learn.

use std::sync::LazyLock;

use crate::blocks::FEATURES;

/// One tree node, 12 bytes, so that the ensemble stays in the L2 cache. A leaf is a node whose
/// children are itself (its threshold is +∞), so a walk may take more steps than its depth.
#[derive(Clone, Copy, Debug)]
struct Node {
    /// The split threshold as the largest `f32` not above the trained one: for an `f32`
    /// feature `x`, `x ≤ value` decides as `x ≤ threshold` in `f64`.
    value: f32,
    feature: u16,
    /// Children, as indexes in the tree.
    left: u16,
    right: u16,
}

/// Where a tree's nodes start and how many steps take every sample to a leaf.
#[derive(Clone, Copy, Debug)]
struct Tree {
    root: u32,
    depth: u16,
}

/// Samples walked through a tree together: their walks are independent, so the processor
/// overlaps them, and each step is a comparison and a select rather than a branch.
const LANES: usize = 8;

/// The largest `f32` not above `t`.
fn f32_at_most(t: f64) -> f32 {
    let r = t as f32;
    if f64::from(r) > t {
        r.next_down()
    } else {
        r
    }
}

/// A tree ensemble with its decision threshold.
#[derive(Clone, Debug)]
pub struct BlockModel {
    bias: f64,
    threshold: f64,
    nodes: Vec<Node>,
    /// Per node, its value if it is a leaf (as trained), else 0.
    leaf_values: Vec<f64>,
    trees: Vec<Tree>,
}

/// The model built into the crate (`data/blocks.model`, trained on the shared benchmarks by
/// `scripts/train_blocks.py`).
pub static BUILT_IN: LazyLock<BlockModel> = LazyLock::new(|| {
    BlockModel::parse(include_str!("../data/blocks.model")).expect("the built-in model parses")
});

impl BlockModel {
    /// Reads a model in the format above; it must have the [`FEATURES`] features of a line.
    pub fn parse(text: &str) -> Result<BlockModel, String> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let mut next = |what: &str| {
            lines
                .next()
                .map(|(i, l)| (i + 1, l.split_whitespace().collect::<Vec<_>>()))
                .ok_or_else(|| format!("the model ends before {what}"))
        };
        let bad = |line: usize, what: &str| format!("line {line}: {what}");
        let (n, header) = next("its header")?;
        if header != ["thresh-blocks", "1"] {
            return Err(bad(n, "not a thresh-blocks 1 model"));
        }
        let mut field = |name: &str| -> Result<f64, String> {
            let (n, words) = next(name)?;
            match words.as_slice() {
                [key, value] if *key == name => value
                    .parse()
                    .map_err(|_| bad(n, &format!("{name} is not a number"))),
                _ => Err(bad(n, &format!("expected `{name} VALUE`"))),
            }
        };
        let features = field("features")?;
        if features != FEATURES as f64 {
            return Err(format!(
                "the model has {features} features; html_extract computes {FEATURES}"
            ));
        }
        let bias = field("bias")?;
        let threshold = field("threshold")?;
        if !(threshold > 0.0 && threshold < 1.0) {
            return Err("the threshold is a probability between 0 and 1".into());
        }
        let mut model = BlockModel {
            bias,
            threshold,
            nodes: Vec::new(),
            leaf_values: Vec::new(),
            trees: Vec::new(),
        };
        while let Ok((n, words)) = next("a tree") {
            let count: usize = match words.as_slice() {
                ["tree", count] => count.parse().map_err(|_| bad(n, "bad node count"))?,
                _ => return Err(bad(n, "expected `tree NODES`")),
            };
            if count == 0 || count > usize::from(u16::MAX) {
                return Err(bad(n, "a tree has 1 to 65,535 nodes"));
            }
            let root = model.nodes.len();
            for i in 0..count {
                let (n, words) = next("a tree node")?;
                let [feature, threshold, left, right, value] = words.as_slice() else {
                    return Err(bad(n, "a node has five fields"));
                };
                let number = |s: &str| match s.parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(x),
                    _ => Err(bad(n, "bad number")),
                };
                // Children lie after their parent, so every walk ends at a leaf.
                let child = |s: &str| -> Result<u16, String> {
                    match s.parse::<usize>() {
                        Ok(c) if c > i && c < count => Ok(c as u16),
                        _ => Err(bad(
                            n,
                            "a child index outside the tree or before its parent",
                        )),
                    }
                };
                let feature: i64 = feature.parse().map_err(|_| bad(n, "bad feature"))?;
                let (node, leaf) = if feature < 0 {
                    let me = i as u16;
                    let node = Node {
                        value: f32::INFINITY,
                        feature: 0,
                        left: me,
                        right: me,
                    };
                    (node, number(value)?)
                } else {
                    if feature as usize >= FEATURES {
                        return Err(bad(n, "feature index out of range"));
                    }
                    let node = Node {
                        value: f32_at_most(number(threshold)?),
                        feature: feature as u16,
                        left: child(left)?,
                        right: child(right)?,
                    };
                    (node, 0.0)
                };
                model.nodes.push(node);
                model.leaf_values.push(leaf);
            }
            // Depths: a parent's is known before its children's.
            let nodes = &model.nodes[root..];
            let mut depth = vec![0u16; count];
            for (i, node) in nodes.iter().enumerate() {
                if node.left as usize != i {
                    depth[node.left as usize] = depth[i] + 1;
                    depth[node.right as usize] = depth[i] + 1;
                }
            }
            model.trees.push(Tree {
                root: root as u32,
                depth: depth.into_iter().max().unwrap_or(0),
            });
        }
        Ok(model)
    }

    /// The raw sums (bias and every tree's leaf, in tree order) of up to [`LANES`] samples.
    fn raw(&self, samples: &[&[f32; FEATURES]]) -> [f64; LANES] {
        let mut lanes = [samples[0]; LANES];
        lanes[..samples.len()].copy_from_slice(samples);
        let mut raw = [self.bias; LANES];
        for tree in &self.trees {
            let nodes = &self.nodes[tree.root as usize..];
            let mut at = [0u16; LANES];
            for _ in 0..tree.depth {
                for (a, sample) in at.iter_mut().zip(&lanes) {
                    let node = nodes[usize::from(*a)];
                    let left = sample[usize::from(node.feature)] <= node.value;
                    *a = if left { node.left } else { node.right };
                }
            }
            let values = &self.leaf_values[tree.root as usize..];
            for (r, a) in raw.iter_mut().zip(at) {
                *r += values[usize::from(a)];
            }
        }
        raw
    }

    /// The probability that the sample is content.
    pub fn probability(&self, sample: &[f32; FEATURES]) -> f64 {
        sigmoid(self.raw(&[sample])[0])
    }

    /// Whether each sample is content (its probability at least the model's threshold).
    pub fn are_content(&self, samples: &[&[f32; FEATURES]]) -> Vec<bool> {
        let mut out = Vec::with_capacity(samples.len());
        for chunk in samples.chunks(LANES) {
            let raw = self.raw(chunk);
            out.extend(
                raw[..chunk.len()]
                    .iter()
                    .map(|&r| sigmoid(r) >= self.threshold),
            );
        }
        out
    }
}

fn sigmoid(raw: f64) -> f64 {
    1.0 / (1.0 + (-raw).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(trees: &str) -> String {
        format!("thresh-blocks 1\nfeatures 50\nbias 0.5\nthreshold 0.5\n{trees}")
    }

    fn sample(values: &[(usize, f32)]) -> [f32; FEATURES] {
        let mut s = [0.0; FEATURES];
        for &(i, x) in values {
            s[i] = x;
        }
        s
    }

    #[test]
    fn sums_the_leaves_of_every_tree() {
        let m = BlockModel::parse(&model(
            "tree 3\n1 0.5 1 2 0\n-1 0 0 0 -2\n-1 0 0 0 1\ntree 1\n-1 0 0 0 0.25\n",
        ))
        .unwrap();
        // Feature 1 ≤ 0.5: 0.5 − 2 + 0.25 = −1.25; else 0.5 + 1 + 0.25 = 1.75.
        let (low, high) = (sample(&[(0, 9.0), (1, 0.5)]), sample(&[(0, 9.0), (1, 0.6)]));
        assert_eq!(m.probability(&low), sigmoid(-1.25));
        assert_eq!(m.probability(&high), sigmoid(1.75));
        assert_eq!(m.are_content(&[&low, &high, &low]), [false, true, false]);
    }

    #[test]
    fn walks_trees_of_unequal_depth() {
        // Root on feature 0; its right child splits again on feature 2.
        let m = BlockModel::parse(&model(
            "tree 5\n0 1 1 2 0\n-1 0 0 0 -1\n2 0.5 3 4 0\n-1 0 0 0 0.25\n-1 0 0 0 2\n",
        ))
        .unwrap();
        let a = sample(&[(0, 1.0)]); // left leaf: 0.5 − 1
        let b = sample(&[(0, 2.0), (2, 0.5)]); // 0.5 + 0.25
        let c = sample(&[(0, 2.0), (2, 0.7)]); // 0.5 + 2
        assert_eq!(m.probability(&a), sigmoid(-0.5));
        assert_eq!(m.probability(&b), sigmoid(0.75));
        assert_eq!(m.probability(&c), sigmoid(2.5));
    }

    #[test]
    fn thresholds_decide_as_in_f64() {
        for t in [0.1f64, -0.1, 1.0 / 3.0, 2.5, 0.0, 1e-30, 0.605_000_001] {
            let r = f32_at_most(t);
            assert!(f64::from(r) <= t && f64::from(r.next_up()) > t, "{t}");
        }
    }

    /// The sum a plain walk of every tree gives, branch by branch in `f64`, from the model text.
    fn reference(text: &str, sample: &[f32]) -> f64 {
        let mut lines = text.lines().skip(2);
        let mut raw: f64 = lines.next().unwrap()[5..].parse().unwrap();
        lines.next();
        let mut tree = Vec::new();
        let mut rest = lines.peekable();
        while let Some(head) = rest.next() {
            let count: usize = head[5..].parse().unwrap();
            tree.clear();
            tree.extend(rest.by_ref().take(count).map(|l| {
                let f: Vec<f64> = l.split(' ').map(|x| x.parse().unwrap()).collect();
                f
            }));
            let mut i = 0;
            while tree[i][0] >= 0.0 {
                let x = f64::from(sample[tree[i][0] as usize]);
                i = if x <= tree[i][1] {
                    tree[i][2]
                } else {
                    tree[i][3]
                } as usize;
            }
            raw += tree[i][4];
        }
        raw
    }

    #[test]
    fn batched_walks_decide_as_plain_walks_on_the_built_in_model() {
        // Samples spread over the ranges the features take (flags, ratios, logs, counts), and
        // on the model's own split points, where decisions are closest.
        let text = include_str!("../data/blocks.model");
        let m = &*BUILT_IN;
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let splits: Vec<f32> = m
            .nodes
            .iter()
            .filter(|n| n.value.is_finite())
            .map(|n| n.value)
            .collect();
        let samples: Vec<[f32; FEATURES]> = (0..3_001)
            .map(|_| {
                let mut s = [0f32; FEATURES];
                for x in &mut s {
                    let r = next();
                    *x = match r % 4 {
                        0 => ((r >> 8) % 2) as f32,
                        1 => ((r >> 8) % 1000) as f32 / 1000.0,
                        2 => ((r >> 8) % 400) as f32 / 40.0,
                        _ => splits[(r >> 8) as usize % splits.len()],
                    };
                }
                s
            })
            .collect();
        let refs: Vec<&[f32; FEATURES]> = samples.iter().collect();
        let decided = m.are_content(&refs);
        let mut content = 0;
        for (s, d) in samples.iter().zip(&decided) {
            let raw = reference(text, s);
            assert_eq!(m.probability(s), sigmoid(raw), "{s:?}");
            assert_eq!(*d, sigmoid(raw) >= m.threshold);
            content += usize::from(*d);
        }
        // Both answers occur: the comparison is not of a constant.
        assert!(content > 100 && content < samples.len() - 100, "{content}");
    }

    #[test]
    fn refuses_broken_models() {
        for broken in [
            "".to_string(),
            "thresh-blocks 2\n".into(),
            "thresh-blocks 1\nfeatures 50\nbias x\n".into(),
            "thresh-blocks 1\nfeatures 2\nbias 0\nthreshold 0.5\ntree 1\n-1 0 0 0 0\n".into(),
            model("tree 2\n0 0.5 1 1 0\n"),
            model("tree 1\n44 0.5 0 0 0\n"),
            model("tree 1\n0 0.5 0 0 0\n"),
            model("tree 3\n0 0.5 1 2 0\n-1 0 0 0 0\n"),
            model("tree 0\n"),
            model("tree 1\n-1 0 0 0 inf\n"),
            model("tree 1\n-1 0 0 0 0\n").replace("threshold 0.5", "threshold 1"),
        ] {
            assert!(BlockModel::parse(&broken).is_err(), "{broken:?}");
        }
    }
}

//! A gradient-boosted tree ensemble over block features, in the text format that
//! `scripts/train_blocks.py` writes: the probability that a block is main content.
//!
//! ```text
//! thresh-blocks 1
//! features 44
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

/// One tree node.
#[derive(Clone, Copy, Debug)]
struct Node {
    /// Feature index, or `u16::MAX` for a leaf.
    feature: u16,
    left: u32,
    right: u32,
    /// The split threshold, or the leaf's value.
    value: f64,
}

/// A tree ensemble with its decision threshold.
#[derive(Clone, Debug)]
pub struct BlockModel {
    features: usize,
    bias: f64,
    threshold: f64,
    /// Every tree's nodes, each tree starting at one of `roots`.
    nodes: Vec<Node>,
    roots: Vec<u32>,
}

/// The model built into the crate (`data/blocks.model`, trained on the shared benchmarks by
/// `scripts/train_blocks.py`).
pub static BUILT_IN: LazyLock<BlockModel> = LazyLock::new(|| {
    BlockModel::parse(include_str!("../data/blocks.model")).expect("the built-in model parses")
});

impl BlockModel {
    /// Reads a model in the format above.
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
        let features = field("features")? as usize;
        let bias = field("bias")?;
        let threshold = field("threshold")?;
        let mut model = BlockModel {
            features,
            bias,
            threshold,
            nodes: Vec::new(),
            roots: Vec::new(),
        };
        while let Ok((n, words)) = next("a tree") {
            let count: usize = match words.as_slice() {
                ["tree", count] => count.parse().map_err(|_| bad(n, "bad node count"))?,
                _ => return Err(bad(n, "expected `tree NODES`")),
            };
            let root = model.nodes.len() as u32;
            model.roots.push(root);
            for _ in 0..count {
                let (n, words) = next("a tree node")?;
                let [feature, threshold, left, right, value] = words.as_slice() else {
                    return Err(bad(n, "a node has five fields"));
                };
                let number = |s: &str| s.parse::<f64>().map_err(|_| bad(n, "bad number"));
                let index = |s: &str| -> Result<u32, String> {
                    let i: u32 = s.parse().map_err(|_| bad(n, "bad child index"))?;
                    if i as usize >= count {
                        return Err(bad(n, "child index outside the tree"));
                    }
                    Ok(root + i)
                };
                let feature: i64 = feature.parse().map_err(|_| bad(n, "bad feature"))?;
                model.nodes.push(if feature < 0 {
                    Node {
                        feature: u16::MAX,
                        left: 0,
                        right: 0,
                        value: number(value)?,
                    }
                } else {
                    if feature as usize >= features {
                        return Err(bad(n, "feature index out of range"));
                    }
                    Node {
                        feature: feature as u16,
                        left: index(left)?,
                        right: index(right)?,
                        value: number(threshold)?,
                    }
                });
            }
            // Children must lie after their parent: every walk ends at a leaf.
            for i in root..model.nodes.len() as u32 {
                let node = model.nodes[i as usize];
                if node.feature != u16::MAX && (node.left <= i || node.right <= i) {
                    return Err(format!(
                        "tree {}: a child before its parent",
                        model.roots.len()
                    ));
                }
            }
        }
        Ok(model)
    }

    /// Number of features a sample has.
    pub fn features(&self) -> usize {
        self.features
    }

    /// The probability that the sample is content.
    pub fn probability(&self, sample: &[f32]) -> f64 {
        let mut raw = self.bias;
        for &root in &self.roots {
            let mut i = root as usize;
            loop {
                let node = self.nodes[i];
                if node.feature == u16::MAX {
                    raw += node.value;
                    break;
                }
                let x = f64::from(sample[node.feature as usize]);
                i = if x <= node.value {
                    node.left
                } else {
                    node.right
                } as usize;
            }
        }
        1.0 / (1.0 + (-raw).exp())
    }

    /// Whether the sample is content.
    pub fn is_content(&self, sample: &[f32]) -> bool {
        self.probability(sample) >= self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "thresh-blocks 1\nfeatures 2\nbias 0.5\nthreshold 0.5\n\
        tree 3\n1 0.5 1 2 0\n-1 0 0 0 -2\n-1 0 0 0 1\n\
        tree 1\n-1 0 0 0 0.25\n";

    #[test]
    fn sums_the_leaves_of_every_tree() {
        let m = BlockModel::parse(TINY).unwrap();
        // Feature 1 ≤ 0.5: 0.5 − 2 + 0.25 = −1.25; else 0.5 + 1 + 0.25 = 1.75.
        let p = |raw: f64| 1.0 / (1.0 + (-raw).exp());
        assert_eq!(m.probability(&[9.0, 0.5]), p(-1.25));
        assert_eq!(m.probability(&[9.0, 0.6]), p(1.75));
        assert!(!m.is_content(&[0.0, 0.0]));
        assert!(m.is_content(&[0.0, 1.0]));
    }

    #[test]
    fn refuses_broken_models() {
        for broken in [
            "",
            "thresh-blocks 2\n",
            "thresh-blocks 1\nfeatures 2\nbias x\n",
            "thresh-blocks 1\nfeatures 2\nbias 0\nthreshold 0.5\ntree 2\n0 0.5 1 1 0\n",
            "thresh-blocks 1\nfeatures 2\nbias 0\nthreshold 0.5\ntree 1\n5 0.5 0 0 0\n",
            "thresh-blocks 1\nfeatures 2\nbias 0\nthreshold 0.5\ntree 1\n0 0.5 0 0 0\n",
        ] {
            assert!(BlockModel::parse(broken).is_err(), "{broken:?}");
        }
    }

    #[test]
    fn the_built_in_model_parses() {
        assert_eq!(BUILT_IN.features(), crate::blocks::FEATURES);
    }
}

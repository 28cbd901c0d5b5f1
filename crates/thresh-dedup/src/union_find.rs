//! Union-find over document indices (input order). By default the root of a set is always its
//! smallest index, so a cluster's survivor is its first document in input order, whatever
//! order the pairs arrive in. [`UnionFind::by_size`] instead joins the smaller set under the
//! larger one's root (ties: under the first argument's), as datatrove's `MinhashDedupCluster`
//! does; its roots then depend on the order of the unions.

/// Disjoint sets of `0..n`.
pub struct UnionFind {
    parent: Vec<u32>,
    /// Set sizes by root, when joining by size.
    sizes: Option<Vec<u32>>,
}

impl UnionFind {
    /// `n` singletons; roots are smallest indices.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            sizes: None,
        }
    }

    /// `n` singletons; unions by size, as datatrove.
    pub fn by_size(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            sizes: Some(vec![1; n]),
        }
    }

    /// The smallest index of `x`'s set.
    pub fn find(&mut self, x: u32) -> u32 {
        let mut root = x;
        while self.parent[root as usize] != root {
            root = self.parent[root as usize];
        }
        // Path compression.
        let mut node = x;
        while self.parent[node as usize] != root {
            let next = self.parent[node as usize];
            self.parent[node as usize] = root;
            node = next;
        }
        root
    }

    /// Joins the sets of `a` and `b`.
    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        match &mut self.sizes {
            None => {
                let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
                self.parent[high as usize] = low;
            }
            Some(sizes) => {
                let (sa, sb) = (sizes[ra as usize], sizes[rb as usize]);
                let (root, child) = if sa < sb { (rb, ra) } else { (ra, rb) };
                self.parent[child as usize] = root;
                sizes[root as usize] = sa + sb;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sets_join_and_the_smallest_index_is_the_root() {
        let mut uf = UnionFind::new(6);
        uf.union(4, 5);
        uf.union(5, 2);
        uf.union(0, 1);
        assert_eq!(uf.find(5), 2);
        assert_eq!(uf.find(4), 2);
        assert_eq!(uf.find(1), 0);
        assert_eq!(uf.find(3), 3);
        uf.union(1, 4);
        assert!((0..6).filter(|&i| i != 3).all(|i| uf.find(i) == 0));
    }

    #[test]
    fn by_size_keeps_the_larger_set_s_root_and_the_first_on_ties() {
        let mut uf = UnionFind::by_size(6);
        uf.union(3, 4);
        uf.union(4, 5);
        assert_eq!(uf.find(5), 3);
        uf.union(0, 1);
        // {0, 1} joins {3, 4, 5}: the larger set's root survives, not the smallest index.
        uf.union(1, 5);
        assert_eq!(uf.find(0), 3);
        uf.union(2, 0);
        assert_eq!(uf.find(2), 3);
    }

    proptest! {
        #[test]
        fn the_partition_does_not_depend_on_pair_order(
            pairs in proptest::collection::vec((0u32..40, 0u32..40), 0..60),
            seed in any::<u64>(),
        ) {
            let roots = |pairs: &[(u32, u32)]| {
                let mut uf = UnionFind::new(40);
                for &(a, b) in pairs {
                    uf.union(a, b);
                }
                (0..40).map(|i| uf.find(i)).collect::<Vec<_>>()
            };
            let mut shuffled = pairs.clone();
            // A deterministic shuffle from the seed; pairs also flipped.
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let flipped: Vec<(u32, u32)> = shuffled.iter().map(|&(a, b)| (b, a)).collect();
            prop_assert_eq!(roots(&pairs), roots(&flipped));
        }
    }
}

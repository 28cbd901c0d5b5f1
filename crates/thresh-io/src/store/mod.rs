//! Where files live: local files written atomically ([`atomic`]), object storage ([`remote`]:
//! `s3://`, `az://`, `gs://`, read as streams, listed, uploaded and downloaded), and a local
//! directory mirrored to an object-store prefix ([`mirror`]).

pub mod atomic;
pub mod mirror;
pub mod remote;

//! Where files live: local files written atomically ([`atomic`]) and object storage
//! ([`remote`]: `s3://`, `az://`, `gs://`, read as streams, listed, uploaded and downloaded).

pub mod atomic;
pub mod remote;

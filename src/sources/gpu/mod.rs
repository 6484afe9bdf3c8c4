//! nvidia-smi output in every format the GPU collector reads: the `--query-gpu` CSV stream,
//! `--query-compute-apps`, `-q -x` XML and the plain table. All pure; none panics on
//! garbage.

pub mod apps;
pub mod csv;
pub mod table;
pub mod value;
pub mod xml;

pub use apps::{QUERY_APPS_FIELDS, parse_compute_apps, query_apps_arg};
pub use csv::{CsvError, QUERY_GPU_FIELDS, parse_gpu_line, parse_query_gpu, query_gpu_arg};
pub use table::{TableHeader, parse_process_table, parse_table_gpus, parse_table_header};
pub use xml::{XmlError, XmlReport, parse_xml};

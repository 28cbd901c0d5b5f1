fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(format!(
        "../shared/data/langid/leipzig/sentences/{}.txt",
        args[1]
    ))
    .unwrap();
    let mut n = 0;
    for line in text.lines() {
        let d = thresh_langid::detect(line, 3);
        if d.code() != args[1] && n < 10 {
            n += 1;
            println!(
                "{:?} {line}",
                d.ranked
                    .iter()
                    .map(|(l, s)| format!("{} {:.2}", l.code, s))
                    .collect::<Vec<_>>()
            );
        }
    }
}

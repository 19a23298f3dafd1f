//! Where a rule reads its parameters: `params.name` and `params["name"]` in its source.

/// Each parameter a rule reads, with the 1-based line and column of its first use.
pub(crate) fn params_used(source: &str) -> Vec<(String, u32, u32)> {
    let mut out: Vec<(String, u32, u32)> = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        let mut offset = 0;
        while let Some(at) = rest.find("params") {
            let start = offset + at;
            let before_ok = code[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
            let after = &code[start + "params".len()..];
            let name = if let Some(tail) = after.strip_prefix('.') {
                ident(tail)
            } else if let Some(tail) = after.strip_prefix("[\"") {
                tail.split('"').next().map(str::to_owned)
            } else {
                None
            };
            if let (true, Some(name)) = (before_ok, name)
                && !out.iter().any(|(n, _, _)| *n == name)
            {
                let col = code[..start].chars().count() + 1;
                out.push((name, to_u32(i + 1), to_u32(col)));
            }
            offset = start + "params".len();
            rest = &code[offset..];
        }
    }
    out
}

fn ident(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_property_and_index_reads_but_not_lookalikes() {
        let src = "let a = params.max_days;\n// params.commented\nlet b = params[\"tiers\"]; let c = my_params.x;\nif x > params.max_days {}";
        assert_eq!(
            params_used(src),
            vec![("max_days".to_owned(), 1, 9), ("tiers".to_owned(), 3, 9)]
        );
    }
}

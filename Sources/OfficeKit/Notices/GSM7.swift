/// SMS text in the GSM 03.38 alphabet, so one message holds 160 characters: French letters
/// outside it (â, ê, î, ô, û, ç, ë, ï…) become their plain letter, anything else unknown a
/// space; the extension characters (€, [, ], {, }, ^, ~, \, |) count two.
public enum GSM7 {
    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
    static let extended: Set<Character> = Set("€[]{}^~\\|")
    static let plain: [Character: String] = [
        "â": "a", "á": "a", "ê": "e", "ë": "e", "î": "i", "ï": "i", "í": "i", "ô": "o", "ó": "o", "û": "u", "ú": "u",
        "ç": "c", "œ": "oe", "Œ": "OE", "À": "A", "Â": "A", "È": "E", "Ê": "E", "Ë": "E", "Î": "I", "Ï": "I", "Ô": "O",
        "Ù": "U", "Û": "U", "’": "'", "‘": "'", "«": "\"", "»": "\"", "–": "-", "—": "-", "…": "...", "\u{00A0}": " ", "\u{202F}": " ",
    ]

    /// `text` in the GSM alphabet, cut (with "…" as "...") to fit `limit` septets.
    public static func fit(_ text: String, limit: Int = 160) -> String {
        var converted = ""
        for character in text {
            if basic.contains(character) || extended.contains(character) {
                converted.append(character)
            } else {
                converted += plain[character] ?? " "
            }
        }
        guard septets(converted) > limit else { return converted }
        var cut = ""
        for character in converted {
            if septets(cut) + septets(String(character)) + 3 > limit { break }
            cut.append(character)
        }
        return cut + "..."
    }

    public static func septets(_ text: String) -> Int {
        text.reduce(0) { $0 + (extended.contains($1) ? 2 : 1) }
    }
}

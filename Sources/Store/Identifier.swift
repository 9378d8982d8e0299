/// Fresh identifiers and secrets.
///
/// `SystemRandomNumberGenerator` reads the kernel's CSPRNG (getrandom on Linux), so
/// calendar tokens are unguessable.
public enum Identifier {
    private static let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")

    /// A readable id such as `b-7kq2m9xw4c`: a kind prefix and 10 random characters (50 bits).
    public static func make(_ prefix: String) -> String {
        prefix + "-" + random(10)
    }

    /// A 32-character secret (160 bits) for URLs such as a specialist's calendar feed.
    public static func secret() -> String { random(32) }

    private static func random(_ count: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] })
    }
}

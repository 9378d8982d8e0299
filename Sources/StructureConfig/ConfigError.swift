/// A configuration file refused at start: which file, which key, which rule.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let file: String
    /// Dotted path of the key at fault (`structure.timeZone`, `partners[3].id`), or empty for the whole file.
    public let key: String
    public let message: String

    public init(file: String, key: String, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        key.isEmpty ? "\(file): \(message)" : "\(file): key '\(key)': \(message)"
    }
}

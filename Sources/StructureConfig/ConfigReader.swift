import Foundation

/// Walks one JSON object of the configuration, remembering where it is so that every
/// error names its key, and refusing keys nobody asked for (a typo must not pass silently).
struct ConfigReader {
    let file: String
    let path: String
    private let object: [String: JSONValue]
    private let consumed: Consumed

    /// Tracks the keys read, shared by copies of a reader.
    final class Consumed { var keys: Set<String> = [] }

    init(file: String, path: String, value: JSONValue) throws(ConfigError) {
        guard case .object(let object) = value else {
            throw ConfigError(file: file, key: path, message: "expected an object, found \(value.typeName)")
        }
        self.file = file
        self.path = path
        self.object = object
        self.consumed = Consumed()
    }

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func fail(_ name: String, _ message: String) -> ConfigError { ConfigError(file: file, key: key(name), message: message) }

    func failHere(_ message: String) -> ConfigError { ConfigError(file: file, key: path, message: message) }

    func has(_ name: String) -> Bool { object[name] != nil }

    /// The object's keys, for maps whose keys are data (such as backend options).
    var keys: [String] { object.keys.sorted() }

    func raw(_ name: String) throws(ConfigError) -> JSONValue {
        consumed.keys.insert(name)
        guard let value = object[name] else { throw fail(name, "is required") }
        return value
    }

    func optionalRaw(_ name: String) -> JSONValue? {
        consumed.keys.insert(name)
        return object[name]
    }

    func string(_ name: String, maxLength: Int = 500) throws(ConfigError) -> String {
        try Self.string(raw(name), maxLength: maxLength) { m throws(ConfigError) in throw fail(name, m) }
    }

    func optionalString(_ name: String, maxLength: Int = 500) throws(ConfigError) -> String? {
        guard let value = optionalRaw(name), value != .null else { return nil }
        return try Self.string(value, maxLength: maxLength) { m throws(ConfigError) in throw fail(name, m) }
    }

    func bool(_ name: String, default fallback: Bool) throws(ConfigError) -> Bool {
        guard let value = optionalRaw(name) else { return fallback }
        guard case .bool(let b) = value else { throw fail(name, "expected true or false, found \(value.typeName)") }
        return b
    }

    func int(_ name: String, in range: ClosedRange<Int>, default fallback: Int? = nil) throws(ConfigError) -> Int {
        guard let value = optionalRaw(name) else {
            if let fallback { return fallback }
            throw fail(name, "is required")
        }
        guard case .number(let n) = value, n.rounded() == n, let i = Int(exactly: n) else {
            throw fail(name, "expected a whole number, found \(value.typeName)")
        }
        guard range.contains(i) else { throw fail(name, "must be between \(range.lowerBound) and \(range.upperBound), found \(i)") }
        return i
    }

    func object(_ name: String) throws(ConfigError) -> ConfigReader {
        try ConfigReader(file: file, path: key(name), value: raw(name))
    }

    func optionalObject(_ name: String) throws(ConfigError) -> ConfigReader? {
        guard let value = optionalRaw(name) else { return nil }
        return try ConfigReader(file: file, path: key(name), value: value)
    }

    func array(_ name: String, required: Bool = true) throws(ConfigError) -> [JSONValue] {
        guard let value = optionalRaw(name) else {
            if required { throw fail(name, "is required") }
            return []
        }
        guard case .array(let items) = value else { throw fail(name, "expected an array, found \(value.typeName)") }
        return items
    }

    func objects(_ name: String, required: Bool = true) throws(ConfigError) -> [ConfigReader] {
        var readers: [ConfigReader] = []
        for (i, item) in try array(name, required: required).enumerated() {
            readers.append(try ConfigReader(file: file, path: "\(key(name))[\(i)]", value: item))
        }
        return readers
    }

    func strings(_ name: String, required: Bool = true) throws(ConfigError) -> [String] {
        var result: [String] = []
        for (i, item) in try array(name, required: required).enumerated() {
            result.append(try Self.string(item, maxLength: 500) { m throws(ConfigError) in
                throw ConfigError(file: file, key: "\(key(name))[\(i)]", message: m)
            })
        }
        return result
    }

    /// Refuses keys of this object that were never read.
    func finish() throws(ConfigError) {
        if let unknown = object.keys.sorted().first(where: { !consumed.keys.contains($0) }) {
            throw fail(unknown, "unknown key (check its spelling against config/README.md)")
        }
    }

    private static func string(_ value: JSONValue, maxLength: Int, fail: (String) throws(ConfigError) -> Never) throws(ConfigError) -> String {
        guard case .string(let s) = value else { try fail("expected a string, found \(value.typeName)") }
        guard !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { try fail("must not be empty") }
        guard s.count <= maxLength else { try fail("is longer than \(maxLength) characters") }
        return s
    }
}

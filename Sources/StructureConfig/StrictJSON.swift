import Foundation

/// A strict RFC 8259 reader for the configuration file: no trailing comma, no duplicated key
/// (Foundation keeps the last one silently: a typo'd second `"timeZone"` would win), no
/// comment; a syntax error names its line and column. Numbers are read as doubles, as
/// `JSONValue` keeps them. Hand-written because no library here refuses duplicated keys.
struct StrictJSON {
    struct SyntaxError: Error, CustomStringConvertible {
        let line: Int
        let column: Int
        let message: String
        var description: String { "line \(line), column \(column): \(message)" }
    }

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    static func parse(_ data: Data) throws(SyntaxError) -> JSONValue {
        var reader = StrictJSON(bytes: Array(data))
        // A UTF-8 byte-order mark is tolerated (editors on Windows write one).
        if reader.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
        reader.skipSpace()
        let value = try reader.value(path: "")
        reader.skipSpace()
        guard reader.index == reader.bytes.count else { throw reader.fail("unexpected text after the end of the document") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func fail(_ message: String, at position: Int? = nil) -> SyntaxError {
        let end = min(position ?? index, bytes.count)
        var line = 1, column = 1
        var i = 0
        while i < end {
            if bytes[i] == 0x0A { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return SyntaxError(line: line, column: column, message: message)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { index += 1 }
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws(SyntaxError) -> JSONValue {
        let utf8 = Array(literal.utf8)
        guard bytes.count - index >= utf8.count, Array(bytes[index..<index + utf8.count]) == utf8 else {
            throw fail("unexpected character (a value is expected: a string, a number, an object, an array, true, false or null)")
        }
        index += utf8.count
        return value
    }

    private mutating func value(path: String) throws(SyntaxError) -> JSONValue {
        guard let c = current else { throw fail("the document ends where a value is expected") }
        switch c {
        case UInt8(ascii: "{"): return try object(path: path)
        case UInt8(ascii: "["): return try array(path: path)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        case UInt8(ascii: "/"): throw fail("comments are not allowed in JSON (use a \"$comment\" key)")
        default: throw fail("unexpected character (a value is expected)")
        }
    }

    private mutating func nest() throws(SyntaxError) {
        depth += 1
        guard depth <= 64 else { throw fail("nested more than 64 levels deep") }
    }

    private mutating func object(path: String) throws(SyntaxError) -> JSONValue {
        try nest()
        index += 1
        var members: [String: JSONValue] = [:]
        skipSpace()
        if current == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard current == UInt8(ascii: "\"") else {
                throw fail(current == UInt8(ascii: "}") ? "trailing comma before '}'" : "a key in double quotes is expected")
            }
            let keyStart = index
            let key = try string()
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard members[key] == nil else { throw fail("duplicated key '\(keyPath)' (each key may appear once)", at: keyStart) }
            skipSpace()
            guard current == UInt8(ascii: ":") else { throw fail("':' expected after the key '\(keyPath)'") }
            index += 1
            skipSpace()
            members[key] = try value(path: keyPath)
            skipSpace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(members)
            default: throw fail("',' or '}' expected after the value of '\(keyPath)'")
            }
        }
    }

    private mutating func array(path: String) throws(SyntaxError) -> JSONValue {
        try nest()
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if current == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipSpace()
            if current == UInt8(ascii: "]") { throw fail("trailing comma before ']'") }
            items.append(try value(path: "\(path)[\(items.count)]"))
            skipSpace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(items)
            default: throw fail("',' or ']' expected in the list '\(path)'")
            }
        }
    }

    private mutating func string() throws(SyntaxError) -> String {
        let start = index
        index += 1
        var out: [UInt8] = []
        while true {
            guard let c = current else { throw fail("a string is not closed", at: start) }
            index += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in a string", at: start) }
                return text
            case UInt8(ascii: "\\"):
                guard let e = current else { throw fail("a string is not closed", at: start) }
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                            throw fail("an unpaired surrogate in a \\u escape")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("an unpaired surrogate in a \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("an invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw fail("an invalid escape '\\\\\(Character(Unicode.Scalar(e)))' in a string")
                }
            default:
                guard c >= 0x20 else { throw fail("a control character (such as a line break) inside a string: write it \\n") }
                out.append(c)
            }
        }
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard bytes.count - index >= 4, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw fail("four hexadecimal digits expected after \\u")
        }
        index += 4
        return value
    }

    private mutating func number() throws(SyntaxError) -> JSONValue {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        func digits() -> Int {
            var n = 0
            while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { index += 1; n += 1 }
            return n
        }
        let leadingZero = current == UInt8(ascii: "0")
        let integer = digits()
        guard integer > 0 else { throw fail("a digit is expected", at: start) }
        guard !(leadingZero && integer > 1) else { throw fail("numbers do not start with 0", at: start) }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw fail("a digit is expected after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw fail("a digit is expected in the exponent") }
        }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else {
            throw fail("a number out of range", at: start)
        }
        return .number(value)
    }
}

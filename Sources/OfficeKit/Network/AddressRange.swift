import Foundation

/// One address or a CIDR block (`10.0.0.5`, `10.0.0.0/24`, `::1`, `fd00::/8`): who may speak
/// for the client in `X-Forwarded-For`. An IPv4 peer seen through an IPv6 socket
/// (`::ffff:10.0.0.5`) matches the IPv4 range.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    let bytes: [UInt8]
    let prefix: Int
    public let description: String

    public enum ParseError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self {
            case .invalid(let text): "\(text) is not an IP address or a CIDR block (expected such as 10.0.0.5, 10.0.0.0/24 or fd00::/8)"
            }
        }
    }

    public init(_ text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let bytes = Self.bytes(String(parts[0])) else { throw ParseError.invalid(text) }
        let width = bytes.count * 8
        if parts.count == 2 {
            guard let bits = Int(parts[1]), (0...width).contains(bits), parts[1].allSatisfy(\.isNumber) else { throw ParseError.invalid(text) }
            prefix = bits
        } else {
            prefix = width
        }
        self.bytes = bytes
        description = text
    }

    /// Whether `address` (a literal IP, as a socket or a header gives it) is in the range.
    public func contains(_ address: String) -> Bool {
        guard var candidate = Self.bytes(address) else { return false }
        if candidate.count == 16, bytes.count == 4, candidate.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] {
            candidate = Array(candidate.suffix(4))
        }
        guard candidate.count == bytes.count else { return false }
        var left = prefix
        for (a, b) in zip(candidate, bytes) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xff : ~(0xff >> UInt8(left))
            if a & mask != b & mask { return false }
            left -= 8
        }
        return true
    }

    /// The address's bytes (4 or 16), or nil when it is not a literal IP address.
    public static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    public static let loopback: [AddressRange] = [try! AddressRange("127.0.0.0/8"), try! AddressRange("::1")]
    /// Loopback, and the ranges a structure's own network uses (RFC 1918, link-local, IPv6 unique local and link-local).
    public static let privateNetworks: [AddressRange] =
        loopback + ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7", "fe80::/10"].map { try! AddressRange($0) }

    /// The subnets this machine's interfaces are on (a LAN numbered with public IPv4 or global
    /// IPv6 addresses is still the structure's own network).
    public static func onLink() -> [AddressRange] {
        var first: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&first) == 0, let first else { return [] }
        defer { freeifaddrs(first) }
        var ranges: [AddressRange] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let address = entry.pointee.ifa_addr, let mask = entry.pointee.ifa_netmask else { continue }
            let family = Int32(address.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            let (addressBytes, maskBytes) = (bytes(of: address, family), bytes(of: mask, family))
            let prefix = maskBytes.reduce(0) { $0 + $1.nonzeroBitCount }
            guard prefix > 0, let text = text(addressBytes, family), let range = try? AddressRange("\(text)/\(prefix)") else { continue }
            ranges.append(range)
        }
        return ranges
    }

    private static func bytes(of socketAddress: UnsafeMutablePointer<sockaddr>, _ family: Int32) -> [UInt8] {
        if family == AF_INET {
            return socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
            }
        }
        return socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
            withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
        }
    }

    private static func text(_ bytes: [UInt8], _ family: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

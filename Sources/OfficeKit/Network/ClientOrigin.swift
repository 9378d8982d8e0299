import Foundation

/// Who is really calling, and over what: the peer of the socket, or, when that peer is a
/// trusted reverse proxy, the client it names in `X-Forwarded-For` and the scheme it names
/// in `X-Forwarded-Proto`. Rate limits, the loopback rule and cookies' `Secure` read this.
public struct ClientOrigin: Sendable, Equatable {
    /// The client's IP address ("unknown" when the socket had none).
    public var address: String
    /// The client reached us over HTTPS (our own TLS, or a trusted proxy's).
    public var secure: Bool

    public init(address: String, secure: Bool) {
        self.address = address
        self.secure = secure
    }

    public var isLoopback: Bool { AddressRange.loopback.contains { $0.contains(address) } }

    /// The address of a request that came through no socket (the in-process application).
    public static let noPeer = "unknown"
}

/// How the daemon faces the network: its own TLS, and which peers are reverse proxies whose
/// forwarding headers are believed. With no trusted proxy, those headers are ignored.
public struct NetworkPolicy: Sendable {
    public var trustedProxies: [AddressRange]
    /// The daemon itself speaks TLS (`--tls-cert`/`--tls-key`).
    public var tls: Bool
    /// The SHA-256 fingerprint of the certificate the daemon serves, when it serves its own
    /// (shown beside an enrolment code; a device pins it).
    public var certificateFingerprint: String?

    /// The structure's own networks (by default the private ranges and the subnets this
    /// machine is on): the console, the API, the stations and the room answer only them (and
    /// loopback); from anywhere else only a specialist's visio link does.
    public var localNetworks: [AddressRange]

    public init(
        trustedProxies: [AddressRange] = [], tls: Bool = false, certificateFingerprint: String? = nil,
        localNetworks: [AddressRange] = NetworkPolicy.defaultLocalNetworks()
    ) {
        self.trustedProxies = trustedProxies
        self.tls = tls
        self.certificateFingerprint = certificateFingerprint
        self.localNetworks = localNetworks
    }

    /// Loopback, the private ranges and the subnets this machine is on.
    public static func defaultLocalNetworks() -> [AddressRange] { AddressRange.privateNetworks + AddressRange.onLink() }

    /// Whether the request comes from the structure's own network (loopback always does, and
    /// so does a request with no socket peer: the in-process application of the tests; every
    /// TCP connection has one).
    public func isLocal(_ origin: ClientOrigin) -> Bool {
        origin.address == ClientOrigin.noPeer || origin.isLoopback || localNetworks.contains { $0.contains(origin.address) }
    }

    public enum ForwardingError: Error, Equatable {
        /// A trusted proxy sent a header we cannot read: its configuration is wrong, and
        /// guessing would let a client choose its own address.
        case unreadable(header: String, value: String)
    }

    func trusts(_ address: String) -> Bool { trustedProxies.contains { $0.contains(address) } }

    /// The origin of a request whose socket peer is `peer`. `forwardedFor` and
    /// `forwardedProto` are every value of those headers, in order.
    public func origin(peer: String?, forwardedFor: [String], forwardedProto: [String]) throws(ForwardingError) -> ClientOrigin {
        let direct = ClientOrigin(address: peer ?? ClientOrigin.noPeer, secure: tls)
        guard let peer, trusts(peer) else { return direct }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops where AddressRange.bytes(hop) == nil {
            throw .unreadable(header: "X-Forwarded-For", value: hop)
        }
        // The right-most address no trusted proxy holds: what the left of it says, the client
        // could have written itself.
        let client = hops.last { !trusts($0) } ?? hops.first ?? peer
        var secure = tls
        if let proto = forwardedProto.flatMap({ $0.split(separator: ",") }).last?.trimmingCharacters(in: .whitespaces).lowercased() {
            guard proto == "https" || proto == "http" else { throw .unreadable(header: "X-Forwarded-Proto", value: proto) }
            secure = proto == "https"
        }
        return ClientOrigin(address: client, secure: secure)
    }
}

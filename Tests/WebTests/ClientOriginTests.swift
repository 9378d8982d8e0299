import OfficeKit
import Testing

/// Who the client is: the socket's peer, unless that peer is a trusted reverse proxy.
struct ClientOriginTests {
    let proxy = NetworkPolicy(trustedProxies: [try! AddressRange("10.0.0.2"), try! AddressRange("fd00::/8")])

    @Test func forwardingHeadersFromAnUntrustedPeerAreIgnored() throws {
        let origin = try proxy.origin(peer: "192.0.2.7", forwardedFor: ["203.0.113.9"], forwardedProto: ["https"])
        #expect(origin == ClientOrigin(address: "192.0.2.7", secure: false))
        // No proxy trusted at all: the same.
        #expect(try NetworkPolicy().origin(peer: "127.0.0.1", forwardedFor: ["203.0.113.9"], forwardedProto: ["https"]).address == "127.0.0.1")
    }

    @Test func aTrustedProxyNamesTheClientAndTheScheme() throws {
        let origin = try proxy.origin(peer: "10.0.0.2", forwardedFor: ["192.0.2.50"], forwardedProto: ["https"])
        #expect(origin == ClientOrigin(address: "192.0.2.50", secure: true))
        #expect(try proxy.origin(peer: "10.0.0.2", forwardedFor: ["192.0.2.50"], forwardedProto: ["http"]).secure == false)
    }

    @Test func whatTheClientWroteLeftOfItsOwnAddressIsNotBelieved() throws {
        // The client sent "X-Forwarded-For: 127.0.0.1"; the proxy appended the address it saw.
        let origin = try proxy.origin(peer: "10.0.0.2", forwardedFor: ["127.0.0.1, 192.0.2.50"], forwardedProto: [])
        #expect(origin.address == "192.0.2.50")
        #expect(!origin.isLoopback)
        // Two header lines are one list; a chain of trusted proxies is walked through.
        #expect(try proxy.origin(peer: "fd00::1", forwardedFor: ["198.51.100.1", "192.0.2.50, 10.0.0.2"], forwardedProto: []).address == "192.0.2.50")
    }

    @Test func anIPv4PeerOnAnIPv6SocketMatchesItsRange() throws {
        #expect(try AddressRange("10.0.0.0/24").contains("::ffff:10.0.0.9"))
        #expect(try !AddressRange("10.0.0.0/24").contains("10.0.1.9"))
        #expect(try AddressRange("0.0.0.0/0").contains("198.51.100.1"))
        #expect(ClientOrigin(address: "::ffff:127.0.0.1", secure: false).isLoopback)
        #expect(ClientOrigin(address: "::1", secure: false).isLoopback)
    }

    @Test func unreadableHeadersFromATrustedProxyAreRefused() {
        #expect(throws: NetworkPolicy.ForwardingError.unreadable(header: "X-Forwarded-For", value: "unknown")) {
            try proxy.origin(peer: "10.0.0.2", forwardedFor: ["unknown"], forwardedProto: [])
        }
        #expect(throws: NetworkPolicy.ForwardingError.unreadable(header: "X-Forwarded-Proto", value: "gopher")) {
            try proxy.origin(peer: "10.0.0.2", forwardedFor: [], forwardedProto: ["gopher"])
        }
    }

    @Test func rangesAreParsedStrictly() {
        for bad in ["10.0.0.0/33", "10.0.0/8", "host.example", "10.0.0.1/", "/8", "::1/129", "10.0.0.0/+8"] {
            #expect(throws: AddressRange.ParseError.self, "\(bad)") { try AddressRange(bad) }
        }
    }

    @Test func theStructuresOwnNetworkIsTheDefaultPrivateRangesOrWhatItSays() throws {
        let standard = NetworkPolicy()
        for local in ["127.0.0.1", "::1", "10.1.2.3", "172.31.0.9", "192.168.1.20", "fd12::5", "fe80::1", "::ffff:192.168.0.4"] {
            #expect(standard.isLocal(ClientOrigin(address: local, secure: false)), "\(local)")
        }
        for outside in ["203.0.113.7", "172.32.0.1", "2001:db8::1", "8.8.8.8"] {
            #expect(!standard.isLocal(ClientOrigin(address: outside, secure: false)), "\(outside)")
        }
        // This machine's own subnets are its structure's network, whatever their numbers.
        for range in AddressRange.onLink() {
            #expect(standard.isLocal(ClientOrigin(address: range.description.split(separator: "/")[0].description, secure: false)), "\(range)")
        }
        #expect(AddressRange.onLink().contains { $0.contains("127.0.0.1") })
        let narrow = NetworkPolicy(localNetworks: [try AddressRange("10.231.0.0/27")])
        #expect(narrow.isLocal(ClientOrigin(address: "10.231.0.20", secure: false)))
        #expect(!narrow.isLocal(ClientOrigin(address: "10.231.0.40", secure: false)))
        #expect(narrow.isLocal(ClientOrigin(address: "127.0.0.1", secure: false)))  // loopback always
    }

    @Test func theTLSFlagMakesDirectClientsSecure() throws {
        #expect(try NetworkPolicy(tls: true).origin(peer: "192.0.2.7", forwardedFor: [], forwardedProto: []).secure)
    }
}

import Crypto
import Foundation

/// A STUN or TURN server as a browser's `RTCIceServer` describes it.
public struct IceServer: Equatable, Sendable, Codable {
    public let urls: String
    public let username: String?
    public let credential: String?

    public init(urls: String, username: String? = nil, credential: String? = nil) {
        self.urls = urls
        self.username = username
        self.credential = credential
    }

    /// webrtcbin's form: `stun://host:port`, `turn://user:password@host:port?transport=udp`
    /// (user and password percent-encoded: the user holds a colon).
    public var gstreamerURL: String {
        guard let colon = urls.firstIndex(of: ":") else { return urls }
        let scheme = urls[..<colon]
        var rest = urls[urls.index(after: colon)...]
        if rest.hasPrefix("//") { rest = rest.dropFirst(2) }
        guard let username, let credential else { return "\(scheme)://\(rest)" }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let user = username.addingPercentEncoding(withAllowedCharacters: allowed) ?? username
        let password = credential.addingPercentEncoding(withAllowedCharacters: allowed) ?? credential
        return "\(scheme)://\(user):\(password)@\(rest)"
    }
}

/// The ICE servers a call uses: STUN as configured; TURN with time-limited credentials
/// derived from the secret shared with coturn (`use-auth-secret`, the "TURN REST API"
/// scheme): the user name is the expiry time, the password its HMAC-SHA1 under the secret.
/// Nothing is stored, and a credential is useless once the call's slot is over.
public struct IceConfiguration: Sendable {
    public let stunServers: [String]
    public let turnServers: [String]
    public let turnSecret: String?

    public init(stunServers: [String], turnServers: [String], turnSecret: String?) {
        self.stunServers = stunServers
        self.turnServers = turnServers
        self.turnSecret = turnSecret
    }

    public func servers(validUntil expiry: Date) -> [IceServer] {
        let stun = stunServers.map { IceServer(urls: $0) }
        let turn = turnServers.map { url -> IceServer in
            guard let turnSecret else { return IceServer(urls: url) }
            let (username, credential) = Self.credential(secret: turnSecret, expiry: expiry)
            return IceServer(urls: url, username: username, credential: credential)
        }
        return stun + turn
    }

    public static func credential(secret: String, expiry: Date) -> (username: String, credential: String) {
        let username = "\(Int(expiry.timeIntervalSince1970)):guichet"
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(username.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return (username, Data(mac).base64EncodedString())
    }
}

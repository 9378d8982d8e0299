import Foundation

/// What an enrolled PC keeps of its enrolment, in one 0600 file of its own data folder
/// (`devices/{id}.json`): the server's address, the credential it calls with, and, for a
/// server whose certificate no public authority signed, that very certificate, pinned.
public struct DeviceIdentity: Codable, Sendable, Equatable {
    public var device: String
    public var kind: String
    public var server: String
    public var credential: String
    /// `sha256:ab:cd:…` of the server's certificate at enrolment (https only).
    public var fingerprint: String?
    /// The pinned certificate (PEM), trusted alone in place of the public authorities.
    public var pinnedCertificate: String?
    /// Base64 of the SHA-256 of its public key (what Chromium's SPKI pin list takes).
    public var pinnedKeyHash: String?

    public init(
        device: String, kind: String, server: String, credential: String, fingerprint: String? = nil, pinnedCertificate: String? = nil,
        pinnedKeyHash: String? = nil
    ) {
        (self.device, self.kind, self.server, self.credential) = (device, kind, server, credential)
        (self.fingerprint, self.pinnedCertificate, self.pinnedKeyHash) = (fingerprint, pinnedCertificate, pinnedKeyHash)
    }

    public static func file(data: URL, device: String) -> URL {
        data.appendingPathComponent("devices").appendingPathComponent("\(device).json")
    }

    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "this PC is not enrolled (no \(path)): get a code in the console (Postes) and run `guichet station enrol --server URL --code CODE`"
        }
    }

    public static func load(data: URL, device: String) throws -> DeviceIdentity {
        let file = file(data: data, device: device)
        guard let bytes = FileManager.default.contents(atPath: file.path) else { throw Missing(path: file.path) }
        return try JSONDecoder().decode(DeviceIdentity.self, from: bytes)
    }

    /// Written whole, 0600, then renamed over the old one: a crash leaves the old or the new.
    public func save(data: URL) throws {
        let file = Self.file(data: data, device: device)
        let folder = file.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = folder.appendingPathComponent(".\(device).json.tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: try encoder.encode(self), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        guard rename(temporary.path, file.path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path]) }
    }
}

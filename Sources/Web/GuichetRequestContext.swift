import Foundation
import Agenda
import StructureConfig
import Hummingbird
import NIOCore
import OfficeKit
import Store

/// The request context of every route: who is calling (the session found from the cookie
/// by `SessionMiddleware`) and from where (for the sign-in rate limit).
public struct GuichetRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var session: WebSession?
    /// The real client: the socket's peer until `ClientOriginMiddleware` has read a trusted
    /// proxy's forwarding headers.
    public var origin: ClientOrigin

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        origin = ClientOrigin(address: source.channel.remoteAddress?.ipAddress ?? "unknown", secure: false)
    }

    /// The address used by the rate limits: the real client's IP, without the port.
    var clientAddress: String { origin.address }

    /// The signed-in agent, whatever the role.
    var agent: Agent? { session?.kind == .agent ? session?.agent : nil }
}

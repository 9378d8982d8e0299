import Logging

/// Security events — sign-ins refused and lockouts, CSRF refusals, device enrolments and
/// revocations, purges of personal data — under one label, so that an administrator can follow
/// them alone (`journalctl -u guichet | grep guichet.security`). Agents' logins and client
/// addresses appear; never a password, a token or a usager's datum.
public enum SecurityLog {
    /// Made at each use: a logger made before the process installs its log handler would keep
    /// swift-log's default one.
    public static var logger: Logger { Logger(label: "guichet.security") }
}

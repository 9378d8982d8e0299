/// The version every PC reports to the server (shown in the console's list of PCs).
public enum GuichetVersion {
    public static let text = "0.15.0"
}

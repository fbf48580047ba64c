import Testing

/// The parent of every integration suite: serialized, so live captures never compete with each other for
/// the machine's cores (attribution of short-lived clients is a race against the scheduler).
@Suite(.serialized, .enabled(if: Shell.isRoot, "needs root: creates network namespaces and captures"))
enum IntegrationTests {}

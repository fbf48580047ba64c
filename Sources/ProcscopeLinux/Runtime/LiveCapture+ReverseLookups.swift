import ProcscopeCore

/// `--resolve` in the capture loop: the session hands each new unnamed remote address to the resolver's
/// thread, and the loop names what it found, each turn and at the end.
extension LiveCapture {
    func askResolverForNewRemotes() {
        session.remoteAddressObserver = reverseResolver.map { resolver in { resolver.ask($0, at: $1) } }
    }

    func nameLookedUpRemotes(now: Timestamp) {
        guard let reverseResolver else { return }
        for answer in reverseResolver.takeAnswers() {
            session.learnLookedUpName(answer.name, for: answer.address, askedAt: answer.askedAt, now: now)
        }
    }
}

import Foundation
@testable import ProcscopeCore
@testable import ProcscopeLinux
import Synchronization
import Testing

/// `--resolve`: addresses asked once each, answered off the calling thread, and a captured DNS answer's name
/// kept over a looked-up one.
@Suite struct ReverseResolverTests {
    @Test("Each address is looked up once, off the caller's thread; answers are taken once; no name, no answer")
    func asksOnceAndAnswers() throws {
        let lookups = Mutex<[IPAddress]>([])
        let caller = Thread.current
        let onOtherThread = Mutex<Bool>(true)
        let resolver = ReverseResolver { address in
            lookups.withLock { $0.append(address) }
            if Thread.current == caller { onOtherThread.withLock { $0 = false } }
            return address == IPAddress(ipv4: 0xC612_0707) ? "app.procscope.test" : nil
        }
        defer { resolver.stop() }
        let named = IPAddress(ipv4: 0xC612_0707), unnamed = IPAddress(ipv4: 0xC612_0808)
        resolver.ask(named, at: Timestamp(microseconds: 5))
        resolver.ask(named, at: Timestamp(microseconds: 6))
        resolver.ask(unnamed, at: Timestamp(microseconds: 7))
        var answers: [ReverseResolver.Answer] = []
        for _ in 0..<200 where answers.isEmpty || lookups.withLock({ $0.count }) < 2 {
            answers += resolver.takeAnswers()
            usleep(10_000)
        }
        answers += resolver.takeAnswers()
        #expect(lookups.withLock { $0 } == [named, unnamed], "each address once, in order")
        #expect(answers.map(\.name) == ["app.procscope.test"] && answers.first?.askedAt == Timestamp(microseconds: 5))
        #expect(resolver.takeAnswers().isEmpty)
        #expect(onOtherThread.withLock { $0 })
    }

    @Test("A looked-up name names conversations from when it was asked; a captured answer's name is not replaced")
    func lookedUpNamesYieldToCapturedOnes() {
        var names = RemoteNames()
        let address = IPAddress(ipv4: 0xC612_0707)
        names.learnLookedUp("ptr.example", for: address, askedAt: Timestamp(microseconds: 10_000_000),
                            now: Timestamp(microseconds: 12_000_000))
        #expect(names.name(of: address, at: Timestamp(microseconds: 10_000_000)) == "ptr.example")
        names.learn(DNSAnswers.Answer(name: "asked.example", address: address, ttl: 60), at: Timestamp(microseconds: 13_000_000))
        names.learnLookedUp("ptr.example", for: address, askedAt: Timestamp(microseconds: 14_000_000),
                            now: Timestamp(microseconds: 14_000_000))
        #expect(names.name(of: address, at: Timestamp(microseconds: 14_000_000)) == "asked.example")
    }
}

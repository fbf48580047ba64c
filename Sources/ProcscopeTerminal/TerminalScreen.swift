import CNcurses
import Glibc
import ProcscopeCore

/// The terminal, through ncurses, for `procscope top`: full screen, keys without echo, non-blocking reads,
/// colour where the terminal has it and `NO_COLOR` (https://no-color.org) is not set to anything.
/// `close()` (also called from `deinit`) restores the terminal; procscope stops on SIGINT/SIGTERM through
/// its signal watcher and then closes the screen, so the terminal is restored on signals too. Text drawn
/// here has already been made terminal-safe (`TerminalSafe`): no control character reaches the terminal.
public final class TerminalScreen {
    private var open = true
    private let window: UnsafeMutablePointer<WINDOW>
    private let colours: Bool

    /// The colour pairs started for the styles that have a colour.
    private enum Pair: Int32 { case title = 1, unknown, graph }

    /// Whether standard input and output are a terminal (the live view needs one).
    public static var isAvailable: Bool { isatty(0) == 1 && isatty(1) == 1 }

    public init() throws {
        setlocale(LC_ALL, "")
        Self.receiveResizes()
        guard let window = initscr() else { throw TerminalError.cannotInitialize }
        self.window = window
        cbreak()
        noecho()
        keypad(window, true)
        nodelay(window, true)
        curs_set(0)
        let noColour = getenv("NO_COLOR").map { $0.pointee != 0 } ?? false
        colours = !noColour && has_colors() && start_color() != ERR
        if colours {
            use_default_colors()
            init_pair(Int16(Pair.title.rawValue), Int16(COLOR_CYAN), -1)
            init_pair(Int16(Pair.unknown.rawValue), Int16(COLOR_YELLOW), -1)
            init_pair(Int16(Pair.graph.rawValue), Int16(COLOR_GREEN), -1)
        }
    }

    deinit { close() }

    /// A signal mask and an ignored signal survive exec: a procscope started by a parent that blocks SIGWINCH
    /// (a test runner's thread, some supervisors and shells' job control, all passed on through tmux or
    /// screen) would never hear of a resize, and ncurses installs its SIGWINCH handler only over the default
    /// action. Unblocked on this thread, the one that reads keys; the worker threads keep their masks, so
    /// the kernel delivers the signal here.
    private static func receiveResizes() {
        var resize = sigset_t()
        sigemptyset(&resize)
        sigaddset(&resize, SIGWINCH)
        pthread_sigmask(SIG_UNBLOCK, &resize, nil)
        signal(SIGWINCH, SIG_DFL)
    }

    public func close() {
        guard open else { return }
        open = false
        endwin()
    }

    public var size: (width: Int, height: Int) { (Int(getmaxx(window)), Int(getmaxy(window))) }

    /// Keys pressed since the last call; a resize comes back as nil-free redraw request (`resized`).
    public func keys() -> (keys: [TopKey], resized: Bool) {
        var keys: [TopKey] = []
        var resized = false
        while true {
            let code = wgetch(window)
            if code == ERR { break }
            switch code {
            case KEY_UP: keys.append(.up)
            case KEY_DOWN: keys.append(.down)
            case KEY_ENTER, 10, 13: keys.append(.enter)
            case 9: keys.append(.tab)
            case KEY_BACKSPACE, 127, 8: keys.append(.backspace)
            case 27: keys.append(.escape)
            case KEY_RESIZE: resized = true
            case 32..<127: keys.append(.character(Character(Unicode.Scalar(UInt8(code)))))
            default: break
            }
        }
        return (keys, resized)
    }

    public func draw(_ lines: [TopView.Line]) {
        werase(window)
        for (row, line) in lines.enumerated() {
            let attributes = attributes(of: line)
            if attributes != 0 { wattron(window, attributes) }
            _ = line.text.withCString { mvwaddstr(window, Int32(row), 0, $0) }
            if attributes != 0 { wattroff(window, attributes) }
        }
        wrefresh(window)
    }
}

extension TerminalScreen {
    /// Reverse video for the highlighted lines whatever the terminal; colour and dimming only with colours.
    private func attributes(of line: TopView.Line) -> Int32 {
        var attributes: Int32 = line.highlighted ? ps_curses_reverse() : 0
        guard colours else { return attributes }
        switch line.style {
        case .title: attributes |= ps_curses_color_pair(Pair.title.rawValue)
        case .unknown: attributes |= ps_curses_color_pair(Pair.unknown.rawValue)
        case .graph: attributes |= ps_curses_color_pair(Pair.graph.rawValue)
        case .dim: attributes |= ps_curses_dim()
        case .normal, .columns, .selected: break
        }
        return attributes
    }
}

/// The terminal could not be taken over.
public enum TerminalError: Error, CustomStringConvertible {
    case cannotInitialize
    public var description: String { "cannot initialize the terminal (is TERM set to a terminal type this system knows?)" }
}

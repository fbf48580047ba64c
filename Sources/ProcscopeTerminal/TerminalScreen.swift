import CNcurses
import Glibc
import ProcscopeCore

/// The terminal, through ncurses, for `procscope top`: full screen, keys without echo, non-blocking reads.
/// `close()` (also called from `deinit`) restores the terminal; procscope stops on SIGINT/SIGTERM through
/// its signal watcher and then closes the screen, so the terminal is restored on signals too. Text drawn
/// here has already been made terminal-safe (`TerminalSafe`): no control character reaches the terminal.
public final class TerminalScreen {
    private var open = true
    private let window: UnsafeMutablePointer<WINDOW>

    /// Whether standard input and output are a terminal (the live view needs one).
    public static var isAvailable: Bool { isatty(0) == 1 && isatty(1) == 1 }

    public init() throws {
        setlocale(LC_ALL, "")
        guard let window = initscr() else { throw TerminalError.cannotInitialize }
        self.window = window
        cbreak()
        noecho()
        keypad(window, true)
        nodelay(window, true)
        curs_set(0)
    }

    deinit { close() }

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
            if line.highlighted { wattron(window, ps_curses_reverse()) }
            _ = line.text.withCString { mvwaddstr(window, Int32(row), 0, $0) }
            if line.highlighted { wattroff(window, ps_curses_reverse()) }
        }
        wrefresh(window)
    }
}

/// The terminal could not be taken over.
public enum TerminalError: Error, CustomStringConvertible {
    case cannotInitialize
    public var description: String { "cannot initialize the terminal (is TERM set to a terminal type this system knows?)" }
}

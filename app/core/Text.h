#pragma once

#include <QString>

namespace cd::Text {

// Untrusted text (connector names from import files, what a server answers, certificate
// subjects) must stay inert wherever it is shown: in a terminal an escape sequence can
// rewrite the screen or the clipboard (OSC 52), in a rich-text widget markup becomes a link,
// and a bidi override makes text read differently from what it is.

// C0 controls (U+0000-U+001F), DEL, C1 controls (U+0080-U+009F), line/paragraph separators
// and the bidi embedding, override and isolate controls (U+061C, U+200E, U+200F,
// U+202A-U+202E, U+2066-U+2069).
bool isControl(char32_t c);

// The first control character in `text`, or 0 when there is none.
char32_t firstControl(const QString &text);

// "U+001B": how a control character is named to the user.
QString codePointName(char32_t c);

// `text` with every control character replaced by a visible escape ("\x1B", "\u202E"), so
// that printing it can change nothing but the characters shown.
QString inert(const QString &text);

// JSON text (as QJsonDocument writes it, where C0 controls are escaped already) with the
// other control characters written as \uXXXX escapes: the same JSON value, inert on a
// terminal.
QString inertJson(const QString &json);

} // namespace cd::Text

#include "Text.h"

#include <QList>
#include <QStringView>

namespace cd::Text {

bool isControl(char32_t c)
{
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E
        || c == 0x200F || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E)
        || (c >= 0x2066 && c <= 0x2069);
}

char32_t firstControl(const QString &text)
{
    for (const char32_t c : QStringView(text).toUcs4()) {
        if (isControl(c))
            return c;
    }
    return 0;
}

QString codePointName(char32_t c)
{
    return QStringLiteral("U+%1").arg(uint(c), 4, 16, QLatin1Char('0')).toUpper();
}

namespace {
// `text` with each control character for which `escape` gives a non-empty replacement
// replaced by it.
template<typename Escape> QString replaceControls(const QString &text, Escape escape)
{
    if (firstControl(text) == 0)
        return text;
    QString out;
    out.reserve(text.size() + 8);
    for (const char32_t c : QStringView(text).toUcs4()) {
        const QString replacement = isControl(c) ? escape(c) : QString();
        out += replacement.isEmpty() ? QString::fromUcs4(&c, 1) : replacement;
    }
    return out;
}
} // namespace

QString inert(const QString &text)
{
    return replaceControls(text, [](char32_t c) {
        return c <= 0xFF ? QStringLiteral("\\x")
                + QStringLiteral("%1").arg(uint(c), 2, 16, QLatin1Char('0')).toUpper()
                         : QStringLiteral("\\u")
                + QStringLiteral("%1").arg(uint(c), 4, 16, QLatin1Char('0')).toUpper();
    });
}

QString inertJson(const QString &json)
{
    // Raw C0 characters are only the document's own layout (newlines, indentation).
    return replaceControls(json, [](char32_t c) {
        return c >= 0x7F ? QStringLiteral("\\u%1").arg(uint(c), 4, 16, QLatin1Char('0'))
                         : QString();
    });
}

} // namespace cd::Text

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

QString inert(const QString &text)
{
    if (firstControl(text) == 0)
        return text;
    QString out;
    out.reserve(text.size() + 8);
    for (const char32_t c : QStringView(text).toUcs4()) {
        if (!isControl(c))
            out += QString::fromUcs4(&c, 1);
        else if (c <= 0xFF)
            out += QStringLiteral("\\x")
                + QStringLiteral("%1").arg(uint(c), 2, 16, QLatin1Char('0')).toUpper();
        else
            out += QStringLiteral("\\u")
                + QStringLiteral("%1").arg(uint(c), 4, 16, QLatin1Char('0')).toUpper();
    }
    return out;
}

QString inertJson(const QString &json)
{
    if (firstControl(json) == 0)
        return json;
    QString out;
    out.reserve(json.size() + 8);
    for (const char32_t c : QStringView(json).toUcs4()) {
        // Raw C0 characters are only the document's own layout (newlines, indentation).
        if (isControl(c) && c >= 0x7F)
            out += QStringLiteral("\\u%1").arg(uint(c), 4, 16, QLatin1Char('0'));
        else
            out += QString::fromUcs4(&c, 1);
    }
    return out;
}

} // namespace cd::Text

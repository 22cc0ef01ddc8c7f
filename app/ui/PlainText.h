#pragma once

#include <QString>
#include <QTextDocument>

namespace cd::ui {

// Tool tips and item tool tips guess the text format (Qt::mightBeRichText): text that holds
// a connector name or a server's words is handed over so that it always shows as written,
// never as markup or a link.
inline QString plainToolTip(const QString &text)
{
    return Qt::mightBeRichText(text) ? Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal) : text;
}

// An action or button text: a name holding '&' must not become a mnemonic.
inline QString literalMnemonic(const QString &text)
{
    return QString(text).replace(QLatin1Char('&'), QLatin1String("&&"));
}

// A label's or button's text without its mnemonic marker ("&&" stays one '&'): the
// accessible name equals the visible label.
inline QString withoutMnemonic(QString text)
{
    text.replace(QLatin1String("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QStringLiteral("\x01"), QStringLiteral("&"));
    return text;
}

} // namespace cd::ui

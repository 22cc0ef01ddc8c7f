#pragma once

#include <QWidget>

class QLabel;
class QHBoxLayout;
class QPushButton;
class QToolButton;

namespace cd::ui {

// A one-line (wrapping) message beside a field or at the top of a page: an icon from the
// platform style and text. Hidden while empty. Optional action buttons (Undo, Move aside).
class InlineMessage : public QWidget
{
    Q_OBJECT
public:
    enum class Kind { Information, Warning, Error, Success };
    Q_ENUM(Kind)

    explicit InlineMessage(QWidget *parent = nullptr);

    // Plain text (never rich text); replaces the previous message and its buttons.
    void showMessage(Kind kind, const QString &text);
    void clear();
    QString text() const;
    Kind kind() const { return m_kind; }
    QLabel *label() const { return m_text; }
    // A "Dismiss" button at the end that clears the message (page banners; off by default:
    // a field's message goes when the field is corrected).
    void setClosable(bool closable);
    // Adds a button to the current message (it goes with the next showMessage() or clear());
    // returns it for wiring.
    QPushButton *addButton(const QString &text);

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateIcon();

    Kind m_kind = Kind::Information;
    QLabel *m_icon = nullptr;
    QLabel *m_text = nullptr;
    QHBoxLayout *m_layout = nullptr;
    QList<QPushButton *> m_buttons;
    QToolButton *m_close = nullptr;
};

} // namespace cd::ui

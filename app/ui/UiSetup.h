#pragma once

namespace cd::ui {

// Once per QApplication: resources of the static library, display name, desktop file name
// and window icon. MainWindow calls it; tests that build single widgets call it too.
void setUpApplication();

} // namespace cd::ui

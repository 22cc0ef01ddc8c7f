#pragma once

namespace cd::ui {

// Once per QApplication: resources of the static library, display name, desktop file name,
// translator and (unless WindowIcon::Later) the window icon. MainWindow calls it; tests that
// build single widgets call it too.
enum class WindowIcon { Now, Later };
void setUpApplication(WindowIcon icon = WindowIcon::Now);
// The application's window icon (rendering the SVG at the sizes the window system takes):
// what setUpApplication(WindowIcon::Later) left out, for after the first frame. Once.
void setUpWindowIcon();

} // namespace cd::ui

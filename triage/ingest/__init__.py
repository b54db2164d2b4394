"""Getting mentions in: files and stdin here; network sources beside them."""

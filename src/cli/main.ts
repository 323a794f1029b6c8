console.log("medic")
